// Package handoff owns the agent side of Relais: the routing queue of tasks (conversations the
// bot handed over), the agents' states (Prêt, Non prêt, Hors ligne), the offers with their
// deadlines, the assignments and the agents' accounts and desk sessions.
//
// Every routing transition (Enqueue, SetState, Connect, Disconnect, Offer, Accept, Reject,
// Pick, Close, HandBack, Transfer, Cancel, Sweep) is one Lua script, so any number of server
// processes on one Redis act as one router: two agents accepting the same task → exactly one
// wins, capacity is never exceeded, and a sweeper run by every instance applies each expiry
// once. All routing keys share the hash tag {handoff}, so the scripts also run on Redis
// Cluster. Time comes from an injectable clock (Options.Now) and travels into the scripts as
// an argument: deadlines never depend on Redis's own clock.
//
// Each transition returns the Notices it produced (offer made, offer expired, task assigned,
// queue changed…) for the caller to push to websockets, and appends the same notices, in the
// same atomic step, to the Redis stream read by Router.Notices, so that the other instances
// learn about them: a notice is never lost, even when the process that caused it dies.
//
// Push routing: a waiting task is offered to the Prêt, connected agent who has free capacity
// (load plus pending offer below capacity), a matching skill (only when the task has a
// category and the agent has skills), has not rejected it already, and has been idle longest.
// Pull routing: Pick takes a waiting task directly, with the same capacity rule.
//
// The cost of routing follows what changed, not the size of the queue or of the team: the
// waiting tasks are indexed by category and the available agents by skill (scripts/prelude.lua),
// so dispatch looks, for each category that has waiting tasks, at its first task an available
// agent may take, and skips the categories nobody available can take; a sweep with nothing
// due reads nothing more; a position is the task's rank in the queue and among the waiting,
// and the pool's capacity and free slots are totals kept up to date by each agent's change.
// Listings are bounded: Queue reads the first QueueShown tasks (what a desk shows, with the
// length), Positions the first 500 with their ID, conversation and state only; Changes paces
// the work that follows queue changes (positions, desk pushes) to once per period.
//
// Estimated wait (Router.Queue): with H the mean handling time of the last 50 conversations
// (assignment → close, hand back or transfer; Options.DefaultHandleTime when there is none
// yet), C the total capacity of the agents who are Prêt and connected, F their free slots and
// k the rank of a task among the waiting (not offered) ones, the estimate is
// max(0, k − F) × H / C: the agents finish a conversation every H / C on average, and the
// first F tasks start at once. An offered task waits 0; with C = 0 there is no estimate and
// the entry says NoAgent. Router.Position gives the same figures for one task from the ranks
// alone.
//
// Erasure (Router.Forget, for package privacy): a conversation's live task ends as Cancel
// ends it, then every task the conversation had (the set <P>conv:<c>:tasks, kept by Enqueue)
// is deleted with its entries in the queue and the indexes, and the notices naming the
// conversation are deleted from the stream — those Forget writes itself after NoticeKeep, by
// the sweep, so that every instance's desks still hear that the conversation ended.
//
// Accounts have a Role: RoleAgent, or RoleSupervisor who may also erase and export a
// person's data from the desk; an account without one is an agent.
//
// It does not own the conversations themselves (package conversation: owner, transcript) nor
// the transport (package server: HTTP, websockets, cookies).
package handoff
