// Package conversation owns the customer conversations kept in Redis: each conversation's
// metadata (token hash, owner, last sequence number) in a hash, its events in one Redis stream
// whose entry IDs are the events' sequence numbers, the idempotency records of customer
// messages, the per-conversation message rate, and the notifications that wake the readers of
// a conversation on every server instance (Hub).
//
// Sequence numbers are assigned inside Lua scripts, so any number of server processes on one
// Redis append to the same conversation without gaps or duplicates. Keys of one conversation
// share the hash tag {id}, so the scripts also run on Redis Cluster.
//
// It does not own the bot (package dialog), transport (package server) or the agent queue
// (package handoff): it records who owns a conversation, not how it gets there.
package conversation
