// Package relay carries a conversation between the customer, the bot and the agents. It owns
// the workflows that span the conversation store, the routing queue and the desk records:
//
//   - a customer's turn (turn.go): the conversation and the bot's session read in one round
//     trip, the bot's answer computed on that session, then the message, the answer and the
//     new session stored in one atomic step, only if the conversation did not change
//     meanwhile (else read and answered again); a handover puts the conversation in the
//     agents' queue;
//   - the handover (handover.go): the routing notices (package handoff) applied once to the
//     conversation — positions told to the customer, the agent joining, transfers, the hand
//     back to the bot, the end — and the customer leaving, with or without a message;
//   - the agents' commands (agent.go): accept, refuse, pick, close, transfer, hand back,
//     messages and typing, and the desk activity filed along the way.
//
// It has no HTTP: package server decodes requests, checks them and calls it. Several
// processes on one Redis run it together: every change is a guarded script, and each routing
// notice is applied by one process only (handoff.Router.Consume).
package relay

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/relais/relais/conversation"
	"github.com/relais/relais/dialog"
	"github.com/relais/relais/handoff"
	"github.com/relais/relais/handoff/desk"
	"github.com/relais/relais/privacy"
	"github.com/relais/relais/store"
)

// Bot answers customers on a session the relay reads and stores with the conversation's
// events (dialog.Engine on Redis sessions).
type Bot interface {
	// SessionKey is where the conversation's session is kept, with the conversation's hash
	// tag, and for how long; false when the bot does not keep its sessions in Redis (New
	// refuses such a bot).
	SessionKey(conversationID string) (key string, ttl time.Duration, ok bool)
	// Greet opens the conversation: the welcome, and the session to save.
	Greet(ctx context.Context, conversationID string) (dialog.Turn, []byte, error)
	// Answer answers one customer message on the session as stored ("" for none), and
	// returns the session to save.
	Answer(ctx context.Context, conversationID, text, session string) (dialog.Turn, []byte, error)
}

// Observer hears about the bot's turns and the routing (the server's metrics). The notices
// are those this process applies for all (each notice is observed once across processes).
type Observer interface {
	ObserveTurn(dialog.Turn)
	ObserveNotice(n handoff.Notice, lag time.Duration) // lag: from its writing to its applying
	ObserveAssigned(wait time.Duration)                // a conversation assigned, wait after its handoff
}

// Deps are what the relay uses and does not own.
type Deps struct {
	Store         *store.Store
	Conversations *conversation.Store
	Hub           *conversation.Hub // the live readers, told when the bot is typing
	Bot           Bot
	Desk          *desk.Desk
	// Router and Accounts are the agent side; without a Router, a handed-over conversation
	// stays queued and the agent commands answer errNoAgents.
	Router   *handoff.Router
	Accounts *handoff.Accounts
	Logger   *slog.Logger // nil: discard
	Observer Observer     // nil: none
	// Privacy erases a conversation its customer asks to forget (Forget); nil: refused.
	Privacy *privacy.Service
}

// Options are the relay's settings.
type Options struct {
	BotTimeout      time.Duration // deadline of one bot turn
	WriteTimeout    time.Duration // deadline of the typing broadcast
	ConversationTTL time.Duration // how long a conversation's link to its customer lasts
	NoticeClaim     time.Duration // a notice another process left unapplied this long is taken over
	SweepInterval   time.Duration // how often deadlines (offers, lost desks) are checked
}

// Relay is the workflows of one server process.
type Relay struct {
	st       *store.Store
	conv     *conversation.Store
	hub      *conversation.Hub
	bot      Bot
	records  *desk.Desk
	router   *handoff.Router
	accounts *handoff.Accounts
	log      *slog.Logger
	obs      Observer
	opts     Options
	states   *states // the state each conversation's last turn here left (states.go)
	privacy  *privacy.Service
	// positions paces the customers' position updates (run by Run): at most one per
	// positionEvery in this process.
	positions *handoff.Changes
}

// New checks deps and builds the relay.
func New(deps Deps, opts Options) (*Relay, error) {
	if deps.Store == nil || deps.Conversations == nil || deps.Hub == nil || deps.Bot == nil || deps.Desk == nil {
		return nil, errors.New("relay : Store, Conversations, Hub, Bot et Desk sont requis")
	}
	if _, _, ok := deps.Bot.SessionKey("probe"); !ok {
		return nil, errors.New("relay : le bot doit garder ses sessions dans Redis (dialog.RedisSessions)")
	}
	if deps.Router != nil && deps.Accounts == nil {
		return nil, errors.New("relay : Accounts est requis avec Router")
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Observer == nil {
		deps.Observer = noObserver{}
	}
	return &Relay{st: deps.Store, conv: deps.Conversations, hub: deps.Hub, bot: deps.Bot, records: deps.Desk,
		router: deps.Router, accounts: deps.Accounts, log: deps.Logger, obs: deps.Observer, opts: opts,
		states: newStates(), privacy: deps.Privacy, positions: handoff.NewChanges()}, nil
}

type noObserver struct{}

func (noObserver) ObserveTurn(dialog.Turn)                     {}
func (noObserver) ObserveNotice(handoff.Notice, time.Duration) {}
func (noObserver) ObserveAssigned(time.Duration)               {}

// positionEvery is the shortest time between two position updates of one process: a queue
// that changes faster tells each customer their position at most about once a second.
const positionEvery = time.Second

// noticeGroup is the consumer group, shared by every process, that turns routing notices
// into conversation changes: each notice is applied by one process only.
const noticeGroup = "relais-conversations"

// Run does the relay's background work until ctx ends: the routing sweeper (offers that
// expire, desks that stay away) and this process's member of the notice consumer group.
// Without a Router there is none.
func (r *Relay) Run(ctx context.Context) error {
	if r.router == nil {
		<-ctx.Done()
		return nil
	}
	var told sync.WaitGroup
	defer told.Wait()
	told.Go(func() {
		r.positions.Run(ctx, positionEvery, func(ctx context.Context) {
			if err := r.updatePositions(ctx); err != nil && ctx.Err() == nil {
				r.log.Warn("positions dans la file", "err", err)
			}
		})
	})
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.router.RunSweeper(ctx, r.opts.SweepInterval, nil, func(err error) {
			r.log.Warn("balayage des échéances", "err", err)
		})
	}()
	err := r.router.Consume(ctx, handoff.ConsumeOptions{Group: noticeGroup, ClaimAfter: r.opts.NoticeClaim,
		OnError: func(err error) { r.log.Warn("lecture du groupe de notifications", "err", err) }}, r.apply)
	<-done
	return err
}
