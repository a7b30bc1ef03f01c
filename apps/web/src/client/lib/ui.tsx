import { useEffect, useState, type ReactNode } from 'react';
import { ApiError, knownCustomers } from './api';

/** An API failure as a person reads it: what happened, and the code the API gave. */
export function ErrorMessage({ error }: { error: unknown }) {
  if (!error) return null;
  const e = error instanceof ApiError ? error : new ApiError('web', 0, 'unexpected', error instanceof Error ? error.message : String(error));
  return (
    <p className="error" role="alert">
      {e.message} <span className="code">[{e.code}{e.status ? `, HTTP ${e.status}` : ''}]</span>
    </p>
  );
}

export function Notice({ children }: { children: ReactNode }) {
  return (
    <p className="notice" role="status">
      {children}
    </p>
  );
}

const storageKey = 'webshop.customer';
/** The customer the person acts as, remembered across pages. */
export function useCustomer(): [string, (id: string) => void] {
  const [customer, setCustomer] = useState(() => localStorage.getItem(storageKey) ?? 'alice');
  useEffect(() => localStorage.setItem(storageKey, customer), [customer]);
  return [customer, setCustomer];
}

export function CustomerPicker({ customer, onChange, id }: { customer: string; onChange: (id: string) => void; id: string }) {
  const [draft, setDraft] = useState(customer);
  useEffect(() => setDraft(customer), [customer]);
  return (
    <div className="field">
      <label htmlFor={id}>Customer</label>
      <input
        id={id}
        list={`${id}-known`}
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={() => draft.trim() && onChange(draft.trim())}
        onKeyDown={(e) => e.key === 'Enter' && draft.trim() && onChange(draft.trim())}
        autoComplete="off"
      />
      <datalist id={`${id}-known`}>
        {knownCustomers.map((c) => (
          <option key={c} value={c} />
        ))}
      </datalist>
      <div className="chips" role="group" aria-label="Demo customers">
        {knownCustomers.map((c) => (
          <button type="button" key={c} className={c === customer ? 'chip on' : 'chip'} aria-pressed={c === customer} onClick={() => onChange(c)}>
            {c}
          </button>
        ))}
      </div>
    </div>
  );
}

export function timeOf(iso: string): string {
  const d = new Date(iso);
  return `${d.toLocaleTimeString('en-GB', { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** Re-renders every `ms` (ages that count up). */
export function useTick(ms: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}
