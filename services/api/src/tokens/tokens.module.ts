import { Module } from '@nestjs/common';
import { TokenAuditRepository } from './token-audit.repository.js';
import { TokensController } from './tokens.controller.js';

@Module({ controllers: [TokensController], providers: [TokenAuditRepository] })
export class TokensModule {}
