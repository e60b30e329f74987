import { BadRequestException } from '@nestjs/common';
import { invalidInputProblem, type InvalidParam } from './problem.js';

/** A 400 naming each refused field; the problem filter turns it into `invalid-params`. */
export class InvalidInputError extends BadRequestException {
  constructor(readonly params: readonly InvalidParam[]) {
    super(invalidInputProblem(params));
  }

  static of(name: string, where: InvalidParam['in'], reason: string): InvalidInputError {
    return new InvalidInputError([{ name, in: where, reason }]);
  }
}
