/**
 * The Raft types the peer protocol carries, imported in this one place. `@eddy/raft`'s index does not
 * export its messages yet (the core is being written), so they come from the source file for now;
 * once the index exports them, this path becomes "@eddy/raft" and nothing else changes. The imports
 * are types only: the transport needs no Raft code at run time.
 */
export type { Message, MsgHeartbeat, MsgHeartbeatResp } from "../../../raft/src/messages.js";
export type { Entry, EntryType, Snapshot } from "@eddy/raft";
