package handoff

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"
	"golang.org/x/crypto/bcrypt"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/store"
)

// AccountOptions are the accounts' security settings. Zero values take the defaults.
type AccountOptions struct {
	Cost       int           // bcrypt cost (12; never below 10)
	SessionTTL time.Duration // a desk session ends after this much inactivity (12 h)
	// Login attempts: free ones per (address, login) pair and per address, then delays that
	// double from FirstDelay up to MaxDelay; an address's count is forgotten after Forget of
	// quiet. Never per login alone: nobody can lock an agent out from another address.
	Attempts        int              // per (address, login) (5)
	AddressAttempts int              // per address, all logins (30)
	FirstDelay      time.Duration    // (1 s)
	MaxDelay        time.Duration    // (15 min)
	Forget          time.Duration    // (1 h)
	Now             func() time.Time // the clock of the delays (time.Now)
}

// Accounts keeps the agents' accounts and desk sessions in Redis. Safe for concurrent use.
type Accounts struct {
	st     *store.Store
	opts   AccountOptions
	prefix string

	dummyOnce sync.Once
	dummy     []byte // a hash compared against when the login is unknown, to take the same time
}

// NewAccounts returns the accounts kept in st.
func NewAccounts(st *store.Store, opts AccountOptions) *Accounts {
	if opts.Cost < 10 {
		opts.Cost = 12
	}
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = 12 * time.Hour
	}
	opts.Attempts = cmp.Or(max(opts.Attempts, 0), 5)
	opts.AddressAttempts = cmp.Or(max(opts.AddressAttempts, 0), 30)
	opts.FirstDelay = cmp.Or(max(opts.FirstDelay, 0), time.Second)
	opts.MaxDelay = cmp.Or(max(opts.MaxDelay, 0), 15*time.Minute)
	opts.Forget = cmp.Or(max(opts.Forget, 0), time.Hour)
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Accounts{st: st, opts: opts, prefix: keyPrefix(st)}
}

// NewAgent is what Add needs.
type NewAgent struct {
	Login    string // letters, digits, . _ - @; case-insensitive
	Name     string // display name, shown to customers
	Password string // 10 to 72 bytes, not easy to guess (CheckPassword)
	Skills   []string
	Capacity int  // 0: 1
	Role     Role // "": RoleAgent
}

// Limits of an account.
const (
	MinPassword = 10
	maxPassword = 72 // bcrypt ignores what follows
	maxCapacity = 20
)

// Add creates an agent account; the login must be new.
func (a *Accounts) Add(ctx context.Context, n NewAgent) (Agent, error) {
	if err := n.validate(); err != nil {
		return Agent{}, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(n.Password), a.opts.Cost)
	if err != nil {
		return Agent{}, err
	}
	ag := Agent{ID: newID(), Login: n.Login, Name: n.Name, PasswordHash: hash,
		Skills: n.Skills, Capacity: n.Capacity, Role: n.Role, CreatedAt: time.Now().UTC().Truncate(time.Millisecond)}
	keys := []string{a.prefix + "login:" + ag.Login, a.prefix + "agent:" + ag.ID, a.prefix + "agents"}
	res, err := addScript.Run(ctx, a.st.Client, keys, ag.ID, ag.Login, ag.Name, hash,
		strings.Join(ag.Skills, ","), ag.Capacity, ag.CreatedAt.UnixMilli(), string(ag.Role)).Text()
	if err != nil {
		return Agent{}, unavailable(err)
	}
	if res == "exists" {
		return Agent{}, apperr.Errorf(apperr.Conflict, "L'identifiant « %s » est déjà utilisé.", ag.Login)
	}
	return ag, nil
}

// validate normalises and checks a new account.
func (n *NewAgent) validate() error {
	n.Login = strings.ToLower(strings.TrimSpace(n.Login))
	n.Name = strings.TrimSpace(n.Name)
	if n.Capacity == 0 {
		n.Capacity = 1
	}
	role, err := ParseRole(string(n.Role))
	if err != nil {
		return err
	}
	n.Role = role
	switch {
	case !validLogin(n.Login):
		return apperr.New(apperr.Invalid, "Identifiant invalide : 2 à 64 caractères parmi lettres, chiffres, « . », « _ », « - » et « @ ».")
	case n.Name == "" || utf8.RuneCountInString(n.Name) > 80 || strings.IndexFunc(n.Name, unicode.IsControl) >= 0:
		return apperr.New(apperr.Invalid, "Le nom affiché doit faire de 1 à 80 caractères.")
	case n.Capacity < 1 || n.Capacity > maxCapacity:
		return apperr.Errorf(apperr.Invalid, "La capacité doit être comprise entre 1 et %d.", maxCapacity)
	}
	for i, s := range n.Skills {
		s = strings.TrimSpace(s)
		if s == "" || len(s) > maxField || strings.ContainsAny(s, ", \t") {
			return apperr.Errorf(apperr.Invalid, "Compétence invalide : « %s ».", s)
		}
		n.Skills[i] = s
	}
	return CheckPassword(n.Password, n.Login, n.Name)
}

func validLogin(s string) bool {
	if len(s) < 2 || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.ContainsRune("._-@", c)) {
			return false
		}
	}
	return true
}

// Get returns an account by id.
func (a *Accounts) Get(ctx context.Context, id string) (Agent, error) {
	h, err := a.st.Client.HGetAll(ctx, a.prefix+"agent:"+id).Result()
	if err != nil {
		return Agent{}, unavailable(err)
	}
	if h["login"] == "" {
		return Agent{}, statusErrors["agent_not_found"]
	}
	return agentFromHash(h), nil
}

// ByLogin returns an account by login (case-insensitive).
func (a *Accounts) ByLogin(ctx context.Context, login string) (Agent, error) {
	id, err := a.st.Client.Get(ctx, a.prefix+"login:"+strings.ToLower(strings.TrimSpace(login))).Result()
	if errors.Is(err, redis.Nil) {
		return Agent{}, statusErrors["agent_not_found"]
	}
	if err != nil {
		return Agent{}, unavailable(err)
	}
	return a.Get(ctx, id)
}

// List returns every account.
func (a *Accounts) List(ctx context.Context) ([]Agent, error) {
	ids, err := a.st.Client.SMembers(ctx, a.prefix+"agents").Result()
	if err != nil {
		return nil, unavailable(err)
	}
	out := make([]Agent, 0, len(ids))
	for _, id := range ids {
		ag, err := a.Get(ctx, id)
		if err == nil {
			out = append(out, ag)
		}
	}
	return out, nil
}

// Remove deletes an account that has no conversation in progress.
func (a *Accounts) Remove(ctx context.Context, id string) error {
	ag, err := a.Get(ctx, id)
	if err != nil {
		return err
	}
	p := a.prefix
	res, err := removeScript.Run(ctx, a.st.Client, []string{p + "login:" + ag.Login, p + "agent:" + id,
		p + "agents", p + "pool", p + "ready", p + "avail"}, id).Text()
	if err != nil {
		return unavailable(err)
	}
	if res == "busy" {
		return apperr.New(apperr.Conflict, "Cet agent a des conversations en cours.")
	}
	return nil
}

// SetPassword gives an account a new password, checked like a new account's
// (CheckPassword). The agent's open desk sessions stay open.
func (a *Accounts) SetPassword(ctx context.Context, id, password string) error {
	ag, err := a.Get(ctx, id)
	if err != nil {
		return err
	}
	if err := CheckPassword(password, ag.Login, ag.Name); err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), a.opts.Cost)
	if err != nil {
		return err
	}
	n, err := setPasswordScript.Run(ctx, a.st.Client, []string{a.prefix + "agent:" + id}, hash).Int()
	if err != nil {
		return unavailable(err)
	}
	if n == 0 {
		return statusErrors["agent_not_found"]
	}
	return nil
}

// SetRole gives an account another role; it counts from the agent's next request (their
// open desk sessions stay open).
func (a *Accounts) SetRole(ctx context.Context, id string, role Role) error {
	role, err := ParseRole(string(role))
	if err != nil {
		return err
	}
	n, err := setRoleScript.Run(ctx, a.st.Client, []string{a.prefix + "agent:" + id}, string(role)).Int()
	if err != nil {
		return unavailable(err)
	}
	if n == 0 {
		return statusErrors["agent_not_found"]
	}
	return nil
}

// GeneratePassword returns a random password of 20 characters (about 119 bits).
func GeneratePassword() string {
	const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	var b strings.Builder
	for range 20 {
		b.WriteByte(alphabet[randIndex(len(alphabet))])
	}
	return b.String()
}

func randIndex(n int) int {
	var b [1]byte
	for {
		rand.Read(b[:])
		if int(b[0]) < 256-256%n { // no modulo bias
			return int(b[0]) % n
		}
	}
}
