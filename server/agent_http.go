package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/handoff"
	"github.com/relais/relais/privacy"
)

// agentCookie holds an agent's desk session token: HttpOnly, SameSite=Strict.
const agentCookie = "relais_agent"

type loginRequest struct {
	Login    string `json:"login"`
	Password string `json:"password"`
}

// agentView is what the desk learns about the agent signed in.
type agentView struct {
	ID       string `json:"id"`
	Login    string `json:"login"`
	Name     string `json:"name"`
	Capacity int    `json:"capacity"`
	// Role: agent or superviseur (who may also erase and export a person's data).
	Role handoff.Role `json:"role"`
}

func viewOf(a handoff.Agent) agentView {
	return agentView{ID: a.ID, Login: a.Login, Name: a.Name, Capacity: a.Capacity, Role: a.Role}
}

// agentLogin is POST /api/v1/agent/login {login, password}: a desk session in a cookie.
// Attempts are limited per login and per address (429 with Retry-After).
func (s *Server) agentLogin(c echo.Context) error {
	if s.agents == nil {
		return errNoAgents
	}
	var in loginRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.Login == "" || in.Password == "" {
		return apperr.New(apperr.Invalid, "Identifiant et mot de passe requis.")
	}
	ctx := c.Request().Context()
	a, err := s.agents.accounts.Authenticate(ctx, in.Login, in.Password, c.RealIP())
	if err != nil {
		return err
	}
	token, err := s.agents.accounts.CreateSession(ctx, a.ID)
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: agentCookie, Value: token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.secureCookies(c.Request())})
	s.auditAgent(c, a.Login, privacy.ActionLogin, privacy.SubjectAgent, a.ID, "")
	return c.JSON(http.StatusOK, viewOf(a))
}

// agentLogout is POST /api/v1/agent/logout: the session ends and its sockets on this
// instance close; the other instances find out at their next heartbeat.
func (s *Server) agentLogout(c echo.Context) error {
	if s.agents == nil {
		return errNoAgents
	}
	c.SetCookie(&http.Cookie{Name: agentCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.secureCookies(c.Request())})
	token := sessionToken(c)
	if token == "" {
		return c.NoContent(http.StatusNoContent)
	}
	ctx := c.Request().Context()
	a, err := s.agents.accounts.SessionAgent(ctx, token)
	if err := s.agents.accounts.DeleteSession(ctx, token); err != nil {
		return err
	}
	if err == nil {
		for _, sock := range s.agents.of(a.ID) {
			if sock.session == token {
				sock.end(statusLoggedOut, "déconnecté")
			}
		}
		s.auditAgent(c, a.Login, privacy.ActionLogout, privacy.SubjectAgent, a.ID, "")
	}
	return c.NoContent(http.StatusNoContent)
}

// agentMe is GET /api/v1/agent/me: the agent of the session, or 401.
func (s *Server) agentMe(c echo.Context) error {
	a, err := s.sessionAgent(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, viewOf(a))
}

// sessionAgent is the agent of the request's session cookie.
func (s *Server) sessionAgent(c echo.Context) (handoff.Agent, error) {
	if s.agents == nil {
		return handoff.Agent{}, errNoAgents
	}
	token := sessionToken(c)
	if token == "" {
		return handoff.Agent{}, apperr.New(apperr.Unauthorized, "Connectez-vous pour ouvrir le bureau.")
	}
	return s.agents.accounts.SessionAgent(c.Request().Context(), token)
}

func sessionToken(c echo.Context) string {
	ck, err := c.Cookie(agentCookie)
	if err != nil {
		return ""
	}
	return ck.Value
}
