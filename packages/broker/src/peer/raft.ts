/**
 * The Raft types the peer protocol carries, imported in this one place, so that a change to them meets
 * the codec first. Types only: the transport needs no Raft code at run time.
 */
export type { Entry, EntryType, Message, MsgHeartbeat, MsgHeartbeatResp, Snapshot } from "@eddy/raft";
