// Package desk owns the records of the agent desk ("Bureau d'assistance clientèle"), kept in
// Redis: customers, their requests (demandes), the activities filed under a request (one per
// interaction: a chat an agent took, or a message a customer left) and the tags of an
// activity. docs/desk.md is its contract.
//
// Every record carries a version, 1 at creation and one more at every change. A write that
// two agents can race on (an edit with the version the agent read, a tag, the attachment of an
// interaction, a link to a customer) is one Lua script that checks the version and writes the
// record in one atomic step: two agents saving version 3 at once → one succeeds, the other
// gets a *StaleError with the current record.
//
// # Key layout
//
// One person's records share one hash tag, their home, so they are in one Redis Cluster
// slot (erasure and export are atomic per person) and the customers spread over the nodes:
//
//	<P>{c:<customer>}:customer              the customer
//	<P>{c:<customer>}:requests, :open       their requests, their open requests (zsets)
//	<P>{c:<customer>}:request:<id>          a request, and :request:<id>:activities (zset)
//	<P>{c:<customer>}:activity:<id>         an activity, its tags in it
//	<P>{r:<request>}:...                    a request no customer owns (an anonymous chat or
//	                                        left message) with its activities, same names
//
// Every script works in one home and touches only its keys (scripts/prelude.lua). What spans
// homes is a key of its own, outside every home, that scripts never touch:
//
//	<P>loc:<id>                 the home of request or activity id (a locator)
//	<P>idx:email:<e-mail key>   the unique values: the customer holding it (see reserve);
//	<P>idx:account:<key>        also idx:external:<external id>
//	<P>idx:phone:<digits>       set of the customers with that phone
//	<P>task:<task>              "<activity> <end>": the task's activity, until end
//	<P>conv:<conv>:latest       the same for the conversation's latest activity
//	<P>conv:<conv>:customer     the conversation's customer, for a while
//	<P>conv:<conv>:words        the words of the conversation in the text index (texts.go)
//	<P>idx:text:<word>          zset of the conversations holding the word, by time
//	<P>{desk}:messages          zset of the left messages (activity ids, by filing order)
//	<P>{desk}:seq               the filing order, increasing across the desk
//	<P>{desk}:reply:<id>...     the canned replies, shared by everyone (replies.go)
//
// Before this layout every key shared the tag {desk}: one slot for the whole desk.
//
// # Consistency rules
//
// Keys outside the homes are written by Go around the scripts, never atomically with the
// records, so each follows a rule that keeps it right whatever step a crash stops at:
//   - Locators, left-message entries and task keys are written before the record they point
//     at, and removed after it goes; readers check each against the record and skip what is
//     missing. A dangling locator or entry is harmless.
//   - A task key is claimed with SET NX before its activity is written: two attaches of one
//     task make one activity (the second waits for the first, then changes its agent).
//   - Unique values are reserved (SET NX, pending with a deadline) before the record is
//     written, confirmed after, released when the write is refused; a pending reservation
//     refuses the others (one of two agents creating the same e-mail wins), a stale one
//     (past its deadline or not carried by its holder's record) is taken over (unique.go).
//   - Task and conversation keys end with the conversation's lifetime (Redis expires them;
//     readers also check the end by the desk's clock).
//   - Linking a record of a {r:...} home to a customer moves it in three idempotent steps,
//     each a script in one slot (link.go): freeze it in the old home (writes there then
//     answer "moved"), copy it to the customer's home, point the locators there, delete the
//     old copy. A reader follows a frozen record to its copy; a writer that meets one
//     finishes the move and writes in the new home.
//   - The left-message index is kept by LeaveMessage (before), PatchRequest (closing or
//     reopening, after) and Erase (after); Messages lists only entries whose request is open.
//   - A conversation's words are written to its hash before the word sets, and Erase removes
//     it from the sets its hash names before the hash; a search checks every hit against the
//     hash (texts.go).
//
// It does not own the routing (package handoff: tasks, agents) nor the conversations
// (package conversation), nor HTTP (package server): the server calls it when an agent
// accepts, closes or transfers, and when a customer leaves a message.
package desk
