import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export type TokenAction = 'created' | 'revoked';

/** Who created and who revoked each token, kept after the token itself is gone. */
@Injectable()
export class TokenAuditRepository {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  async record(tokenId: string, tokenName: string, action: TokenAction, actor: string): Promise<void> {
    await this.ds.query(
      'INSERT INTO token_audit (token_id, token_name, action, actor) VALUES ($1, $2, $3, $4)',
      [tokenId, tokenName, action, actor],
    );
  }

  async history(tokenId: string): Promise<{ action: TokenAction; actor: string }[]> {
    return this.ds.query('SELECT action, actor FROM token_audit WHERE token_id = $1 ORDER BY audit_id', [
      tokenId,
    ]);
  }
}
