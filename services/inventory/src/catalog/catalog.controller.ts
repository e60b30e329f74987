import {
  Body,
  ConflictException,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Patch,
  Post,
  Query,
  type Type,
} from '@nestjs/common';
import { InvalidInputError, nextPage, slug } from '@muster/runtime';
import type { z } from 'zod';
import { CatalogConflictError, CatalogReferenceError, type AnyCatalogKind } from './catalog-kind.js';
import { CatalogRepository, type CatalogEntry } from './catalog.repository.js';
import { catalogListQuery, type CatalogListQuery } from './catalog.schemas.js';

/**
 * The CRUD routes of one catalog kind: `GET|POST /v1/<kind>`, `GET|PATCH|DELETE /v1/<kind>/{id}`.
 * Every write is announced by a `…changed` event in the same transaction.
 */
export function catalogController(kind: AnyCatalogKind): Type<unknown> {
  @Controller(kind.path)
  class CatalogController {
    constructor(@Inject(CatalogRepository) readonly catalog: CatalogRepository) {}

    /** A page in id order; `next`, when present, is the `after` of the next page. */
    @Get()
    async list(
      @Query({ schema: catalogListQuery }) query: CatalogListQuery,
    ): Promise<Record<string, unknown>> {
      const entries = await this.catalog.list(kind, query.limit, query.after);
      return {
        [kind.listKey]: entries.map((e) => kind.toJson(e.value, e.meta)),
        ...nextPage(entries, query.limit, (e) => String(e.value[kind.idKey])),
      };
    }

    @Post()
    @HttpCode(201)
    async create(@Body({ schema: kind.create }) body: Record<string, unknown>): Promise<unknown> {
      return this.respond(() => this.catalog.create(kind, body));
    }

    @Get(':id')
    async get(@Param('id', { schema: slug }) id: string): Promise<unknown> {
      const entry = await this.catalog.get(kind, id);
      if (!entry) throw new NotFoundException(`no ${kind.noun} ${id}`);
      return kind.toJson(entry.value, entry.meta);
    }

    /** Changes the fields it names; the result must be an entry a create would take. */
    @Patch(':id')
    async update(
      @Param('id', { schema: slug }) id: string,
      @Body({ schema: kind.patch }) patch: Record<string, unknown>,
    ): Promise<unknown> {
      const entry = await this.respond(() =>
        this.catalog.update(kind, id, patch, (merged) => validated(kind.create, merged)),
      );
      if (!entry) throw new NotFoundException(`no ${kind.noun} ${id}`);
      return entry;
    }

    /** 409 while machines or rules use it. */
    @Delete(':id')
    @HttpCode(204)
    async remove(@Param('id', { schema: slug }) id: string): Promise<void> {
      const gone = await this.respond(() => this.catalog.remove(kind, id));
      if (!gone) throw new NotFoundException(`no ${kind.noun} ${id}`);
    }

    private async respond(work: () => Promise<CatalogEntry | null>): Promise<unknown> {
      try {
        const entry = await work();
        return entry && kind.toJson(entry.value, entry.meta);
      } catch (err) {
        if (err instanceof CatalogConflictError) throw new ConflictException(err.message);
        if (err instanceof CatalogReferenceError) throw InvalidInputError.of(err.field, 'body', err.message);
        throw err;
      }
    }
  }
  Object.defineProperty(CatalogController, 'name', {
    value: `${kind.listKey[0]!.toUpperCase()}${kind.listKey.slice(1)}Controller`,
  });
  return CatalogController;
}

/** A merged entry checked as a create would check it; 400 naming each field otherwise. */
function validated(schema: z.ZodType, merged: Record<string, unknown>): Record<string, unknown> {
  const result = schema.safeParse(merged);
  if (result.success) return result.data as Record<string, unknown>;
  throw new InvalidInputError(
    result.error.issues.map((i) => ({ name: i.path.join('.'), in: 'body' as const, reason: i.message })),
  );
}
