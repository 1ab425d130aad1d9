import type { Chrome, Theme } from "./TopBar";

/** `#/settings`: the account, the theme, and the links to the account's other pages. */
export function SettingsPage({ chrome, backendUrl }: { chrome: Chrome; backendUrl: string }) {
  const { me, visibility, theme } = chrome;
  if (!me) return null;
  const setTheme = (t: Theme) => t !== theme && chrome.onToggleTheme();
  return (
    <main className="settings" data-testid="settings-page">
      <h2>Settings</h2>
      <section className="card">
        <h3>Account</h3>
        <dl className="settings-list">
          <dt>Name</dt>
          <dd>{me.display_name ?? (me.subject === "token" ? "Access token" : me.subject)}</dd>
          {me.user && (
            <>
              <dt>Email</dt>
              <dd>{me.user.email}</dd>
            </>
          )}
          <dt>Role</dt>
          <dd data-testid="settings-role">{me.role}</dd>
          <dt>Server</dt>
          <dd>{backendUrl}</dd>
        </dl>
        <nav className="settings-links">
          <a className="btn" href="#/library" data-testid="settings-library">
            Library
          </a>
          {visibility.ownTokens && (
            <a className="btn" href="#/tokens" data-testid="settings-tokens">
              My API tokens
            </a>
          )}
          {visibility.admin && (
            <a className="btn" href="#/admin/users" data-testid="settings-admin">
              Admin
            </a>
          )}
          <button type="button" className="btn" data-testid="settings-sign-out" onClick={chrome.onSignOut}>
            {me.user ? "Sign out" : "Forget the access token"}
          </button>
        </nav>
      </section>
      <section className="card">
        <h3>Appearance</h3>
        <fieldset className="settings-theme">
          <legend>Theme</legend>
          {(["dark", "light"] as const).map((t) => (
            <label key={t}>
              <input
                type="radio"
                name="theme"
                value={t}
                data-testid={`settings-theme-${t}`}
                checked={theme === t}
                onChange={() => setTheme(t)}
              />
              {t === "dark" ? "Dark" : "Light"}
            </label>
          ))}
        </fieldset>
      </section>
      <section className="card">
        <h3>On a phone</h3>
        <p className="muted">
          Pose Studio installs as an app: in the browser's menu choose “Add to Home screen” (or “Install”).
          Only the page itself is kept on the device; streams, sessions and recordings stay on this server.
        </p>
      </section>
    </main>
  );
}
