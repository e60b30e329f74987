export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');
export const EVENT_HANDLER = 'muster:messaging:event-handler';
export const QUERY_HANDLER = 'muster:messaging:query-handler';
