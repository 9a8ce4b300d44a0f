// Package server is Relais's HTTP server: the Echo route table, thin handlers (decode the
// request, check it at the edge, call package relay, respond), the customer and agent
// websockets (one socket type, socket.go: one writer each, pings, deadlines, batched frames), the embedded web assets, health, readiness and Prometheus metrics, request
// ids, structured access logs, CORS, rate limits, security headers, and every error written
// in one JSON form with the status of its code (apperr.Status, the one table).
//
// The workflows — a customer's turn, the handover, the agents' commands — live in package
// relay; conversations and their event streams in package conversation; the routing queue and
// its notices in package handoff; the desk records in handoff/desk. Echo stays inside this
// package, so that a move to Echo v5 touches nothing else.
//
// Several processes running this server on one Redis act as one server: every event goes
// through the conversation's Redis stream, each process's conversation.Hub wakes the
// websockets it holds when any process appends, and each process reads the routing notices
// to push offers and assignments to the agent websockets it holds.
package server
