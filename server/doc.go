// Package server is Relais's HTTP server: the Echo routes of the customer API, the customer
// websocket, the embedded web assets, health, readiness and Prometheus metrics, request ids,
// structured access logs, CORS, rate limits and the one table that maps application error
// codes to HTTP statuses.
//
// It owns transport only. Conversations and their event streams live in package
// conversation; the bot's answers come from a Bot (package dialog); the agent queue will come
// from a Queue (package handoff). Echo stays inside this package, so that a move to Echo v5
// touches nothing else.
//
// Several processes running this server on one Redis act as one server: every event goes
// through the conversation's Redis stream, and each process's conversation.Hub wakes the
// websockets it holds when any process appends.
package server
