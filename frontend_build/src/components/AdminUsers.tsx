import { useCallback, useState, type FormEvent } from "react";
import type { AccountClient, Me, NewUser, UserPublic } from "../lib/account";
import { ROLES, type Role } from "../lib/roles";
import { useAction, useLoad } from "./useLoad";

const EMPTY: NewUser = { email: "", display_name: "", role: "viewer", password: "" };

/** People: create, change role, disable or enable, reset password. */
export function AdminUsers({ client, me }: { client: AccountClient; me: Me }) {
  const load = useCallback(() => client.users(), [client]);
  const users = useLoad(load);
  const action = useAction();
  const [form, setForm] = useState<NewUser>(EMPTY);
  const [resetting, setResetting] = useState<number | null>(null);
  const [done, setDone] = useState("");

  const change = (what: () => Promise<unknown>, message: string) =>
    void action.run(what).then((ok) => {
      setDone(ok ? message : "");
      users.reload();
    });

  const create = async (e: FormEvent) => {
    e.preventDefault();
    const user = { ...form, email: form.email.trim(), display_name: form.display_name.trim() };
    if (await action.run(() => client.createUser(user))) {
      setDone(`${user.email} can now sign in as ${user.role}.`);
      setForm(EMPTY);
      users.reload();
    } else setDone("");
  };

  const field = (key: keyof NewUser) => ({
    value: form[key],
    onChange: (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value }),
  });

  return (
    <section aria-label="People">
      <form className="inline-form" onSubmit={(e) => void create(e)} aria-label="New person">
        <label>
          Email
          <input data-testid="user-email" type="email" required maxLength={254} {...field("email")} />
        </label>
        <label>
          Display name
          <input data-testid="user-name" required maxLength={100} {...field("display_name")} />
        </label>
        <label>
          Role
          <select data-testid="user-role" {...field("role")}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <label>
          Password
          <input
            data-testid="user-password"
            type="password"
            autoComplete="new-password"
            required
            minLength={12}
            maxLength={256}
            {...field("password")}
          />
        </label>
        <button type="submit" className="btn btn-primary" data-testid="user-create" disabled={action.busy}>
          Add person
        </button>
      </form>
      {action.error && (
        <p className="form-error" role="alert" data-testid="admin-error">
          {action.error}
        </p>
      )}
      {done && !action.error && (
        <p className="ok" role="status" data-testid="admin-done">
          {done}
        </p>
      )}
      {users.error && (
        <p className="form-error" role="alert">
          {users.error}
        </p>
      )}
      {users.data && (
        <table className="table" data-testid="user-list">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">State</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {users.data.map((u) => (
              <UserRow
                key={u.id}
                user={u}
                self={me.user?.id === u.id}
                busy={action.busy}
                resetting={resetting === u.id}
                onRole={(role) =>
                  change(() => client.updateUser(u.id, { role }), `${u.email} is now ${role}.`)
                }
                onDisabled={(disabled) =>
                  change(
                    () => client.updateUser(u.id, { disabled }),
                    `${u.email} is ${disabled ? "disabled: their sessions and tokens stop working" : "enabled"}.`,
                  )
                }
                onReset={(password) => {
                  setResetting(null);
                  change(
                    () => client.resetPassword(u.id, password),
                    `${u.email} has a new password; their sessions ended.`,
                  );
                }}
                onToggleReset={() => setResetting(resetting === u.id ? null : u.id)}
              />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function UserRow({
  user,
  self,
  busy,
  resetting,
  onRole,
  onDisabled,
  onReset,
  onToggleReset,
}: {
  user: UserPublic;
  self: boolean;
  busy: boolean;
  resetting: boolean;
  onRole: (role: Role) => void;
  onDisabled: (disabled: boolean) => void;
  onReset: (password: string) => void;
  onToggleReset: () => void;
}) {
  const [password, setPassword] = useState("");
  return (
    <tr data-testid="user-row" data-email={user.email}>
      <td>
        {user.display_name}
        {self && <span className="muted"> (you)</span>}
      </td>
      <td>{user.email}</td>
      <td>
        <select
          aria-label={`Role of ${user.email}`}
          data-testid="user-row-role"
          value={user.role}
          disabled={busy}
          onChange={(e) => onRole(e.target.value as Role)}
        >
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </td>
      <td data-testid="user-state">{user.disabled ? "disabled" : "active"}</td>
      <td className="row-actions">
        <button
          type="button"
          className="btn btn-small"
          disabled={busy}
          data-testid="user-toggle-disabled"
          onClick={() => onDisabled(!user.disabled)}
        >
          {user.disabled ? "Enable" : "Disable"}
        </button>
        <button
          type="button"
          className="btn btn-small"
          aria-expanded={resetting}
          data-testid="user-reset"
          onClick={onToggleReset}
        >
          Reset password
        </button>
        {resetting && (
          <form
            className="reset-form"
            onSubmit={(e) => {
              e.preventDefault();
              onReset(password);
            }}
          >
            <label className="sr-only" htmlFor={`reset-${user.id}`}>
              New password for {user.email}
            </label>
            <input
              id={`reset-${user.id}`}
              type="password"
              autoComplete="new-password"
              required
              minLength={12}
              maxLength={256}
              placeholder="new password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
            <button type="submit" className="btn btn-small btn-primary" disabled={busy}>
              Save
            </button>
          </form>
        )}
      </td>
    </tr>
  );
}
