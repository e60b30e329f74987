import { Inject, Injectable } from '@nestjs/common';
import { queries, type BindAgentRequest, type BindAgentResponse } from '@muster/contracts';
import { AnswerQuery } from '@muster/messaging';
import { AgentBinder } from './agent-binder.js';

/** Answers agent-gateway's `bindAgent` when an agent enrolls. */
@Injectable()
export class AgentBindingHandlers {
  constructor(@Inject(AgentBinder) private readonly binder: AgentBinder) {}

  @AnswerQuery(queries.bindAgent)
  async bindAgent(request: BindAgentRequest): Promise<BindAgentResponse> {
    return this.binder.bind(request);
  }
}
