export { agentKeyFromSeed, AgentKeyError, generateAgentKey, signWith, type AgentKey } from './agent-key.js';
export {
  connectProofBytes,
  connectProofHeader,
  enrollProof,
  enrollProofBytes,
  renewProof,
  renewProofBytes,
} from './proofs.js';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy, type RandomSource } from './backoff.js';
export { DEFAULT_FLOW, ReportPacer, type FlowOptions } from './report-pacer.js';
export { Outbox, OutboxFullError, type OutboxEntry } from './outbox.js';
export {
  EMPTY_STATE,
  FileStateStore,
  MemoryStateStore,
  StateFileError,
  type AgentState,
  type AgentStateStore,
} from './agent-state.js';
export { AgentJournal } from './agent-journal.js';
export { decodeGatewayFrame, encodeAgentFrame, type DecodedGatewayFrame } from './frames.js';
export {
  AgentSession,
  type AgentEvents,
  type AgentIdentity,
  type CloseRequest,
  type CommandDrop,
  type FactsInit,
  type HeartbeatInit,
  type StatusInit,
  type ReportKind,
  type ReportOutcome,
  type SessionStats,
  type SessionTransport,
} from './agent-session.js';
export {
  AgentConnection,
  CONNECT_PATH,
  type AgentConnectionOptions,
  type ConnectionState,
  type ConnectionStats,
  type StopReason,
} from './agent-connection.js';
export {
  enroll,
  ENROLL_PATH,
  EnrollmentError,
  renew,
  RENEW_PATH,
  type AgentCredentials,
  type EnrollOptions,
} from './enrollment.js';
