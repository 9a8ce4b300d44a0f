// Package privacy answers the data protection requests of the RGPD about one person: the
// erasure of everything Relais holds about them, the export of it (one JSON document, in a ZIP
// with the files of their conversations: WriteArchive), and the audit trail of these
// operators' and the agents' actions. docs/privacy.md is its contract.
//
// A person is a desk customer (found by id, e-mail or phone) or an anonymous conversation.
// Their data is spread over packages that keep their own keys: the conversations (package
// conversation: metadata, events, notes, idempotency records, rate, the relay's « told » key,
// all under the conversation's hash tag), the bot's session of each conversation (package
// dialog) and the desk's records (package handoff/desk: the customer, their requests,
// activities, tags and left messages, and the indexes pointing at them). Erase uses those
// packages' own functions, conversations first and the desk's records last, so that an
// erasure cut short is finished by running it again: erasing twice is erasing once.
//
// The audit trail (Audit) is an append-only Redis stream bounded by its retention: an entry
// says who did what to which kind of record, when and from where, and how many records of
// each kind; the person appears only as a hash of their id (SubjectHash), never by their id,
// name, e-mail, phone or any message text.
//
// Erase also takes the person's conversations out of the routing (package handoff:
// Router.Forget): their tasks, queue entries and notices.
//
// It does not own the records themselves, nor HTTP: its callers are the command line
// (relais privacy, relais audit), the desk's supervisors and the widget's « Effacer cette
// conversation » (package server).
package privacy
