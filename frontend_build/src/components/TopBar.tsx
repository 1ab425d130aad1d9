import { useDismiss } from "./useDismiss";
import { useRef, useState, type ReactNode } from "react";
import type { Me } from "../lib/account";
import type { Visibility } from "../lib/roles";

export type Theme = "dark" | "light";

export interface Chrome {
  me: Me | null;
  visibility: Visibility;
  theme: Theme;
  onToggleTheme: () => void;
  onSignOut: () => void;
}

/** The bar over every signed-in page: brand, the page's own actions, account, theme. */
export function TopBar({ chrome, children }: { chrome: Chrome; children?: ReactNode }) {
  const { theme, onToggleTheme } = chrome;
  return (
    <header className="topbar">
      <a className="brand" href="#/">
        <span className="logo" aria-hidden="true" />
        <h1>Pose Studio</h1>
      </a>
      {children}
      <div className="topbar-end">
        {chrome.me && <AccountMenu chrome={chrome} />}
        <button
          type="button"
          className="btn btn-ghost"
          onClick={onToggleTheme}
          aria-label={`Switch to ${theme === "dark" ? "light" : "dark"} theme`}
        >
          {theme === "dark" ? "☀" : "☾"}
        </button>
      </div>
    </header>
  );
}

function AccountMenu({ chrome }: { chrome: Chrome }) {
  const { me, visibility, onSignOut } = chrome;
  const [open, setOpen] = useState(false);
  const menu = useRef<HTMLDivElement>(null);
  useDismiss(open, menu, () => setOpen(false));
  if (!me) return null;
  const name = me.display_name ?? (me.subject === "token" ? "Access token" : me.subject);
  return (
    <div className="account" ref={menu}>
      <button
        type="button"
        className="btn"
        data-testid="account-menu"
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
      >
        <span data-testid="account-name">{name}</span> <span className="muted">({me.role})</span>
      </button>
      {open && (
        <div className="account-menu" role="menu" onClick={() => setOpen(false)}>
          {me.user && <p className="muted account-email">{me.user.email}</p>}
          <a role="menuitem" href="#/library" data-testid="menu-library">
            Library
          </a>
          <a role="menuitem" href="#/robots" data-testid="menu-robots">
            Robots
          </a>
          <a role="menuitem" href="#/settings" data-testid="menu-settings">
            Settings
          </a>
          {visibility.ownTokens && (
            <a role="menuitem" href="#/tokens" data-testid="menu-tokens">
              My API tokens
            </a>
          )}
          {visibility.admin && (
            <a role="menuitem" href="#/admin/users" data-testid="menu-admin">
              Admin
            </a>
          )}
          <button type="button" role="menuitem" data-testid="sign-out" onClick={onSignOut}>
            {me.user ? "Sign out" : "Forget the access token"}
          </button>
        </div>
      )}
    </div>
  );
}
