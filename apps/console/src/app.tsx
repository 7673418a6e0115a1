import { useEffect, useRef, useState } from 'preact/hooks';
import { adminToken } from './api/admin-token';
import { DeadLettersPage } from './pages/dead-letters.page';
import { LivePage } from './pages/live.page';
import { OrderPage } from './pages/order.page';
import { OrdersPage } from './pages/orders.page';
import { SagaPage } from './pages/saga.page';
import { SagasPage } from './pages/sagas.page';
import { TokenPage } from './pages/token.page';
import { href, useRoute } from './ui/router';
import { Empty } from './ui/states';

const SECTIONS = [
  { path: 'orders', label: 'Orders' },
  { path: 'sagas', label: 'Sagas' },
  { path: 'dead-letters', label: 'Dead letters' },
  { path: 'live', label: 'Live' },
] as const;

/** The console's shell: a skip link, the navigation, and the page of the current hash route. */
export function App() {
  const { path, segments, query } = useRoute();
  const [hasToken, setHasToken] = useState(adminToken.get() !== undefined);
  useEffect(() => adminToken.subscribe(() => setHasToken(adminToken.get() !== undefined)), []);
  const main = useRef<HTMLElement>(null);
  // Keyboard and screen-reader users land on the new page's heading, as after a page load.
  useEffect(() => {
    const heading = main.current?.querySelector<HTMLElement>('h1');
    if (heading && document.activeElement !== document.body) heading.focus();
  }, [path]);

  return (
    <>
      <a class="skip" href="#main" onClick={(event) => (event.preventDefault(), main.current?.querySelector<HTMLElement>('h1')?.focus())}>
        Skip to content
      </a>
      <header>
        <span class="brand">OMS console</span>
        <nav aria-label="Sections">
          {SECTIONS.map((section) => (
            <a key={section.path} href={href(`/${section.path}`)} aria-current={segments[0] === section.path ? 'page' : undefined}>
              {section.label}
            </a>
          ))}
        </nav>
        <a class="token" href={href('/token', { from: path })} data-testid="token-link">
          {hasToken ? 'Admin token set' : 'Enter admin token'}
        </a>
      </header>
      <main id="main" ref={main}>
        <Page segments={segments} query={query} />
      </main>
    </>
  );
}

function Page({ segments, query }: { segments: string[]; query: URLSearchParams }) {
  const [section, id] = segments;
  switch (section) {
    case 'orders':
      return id ? <OrderPage id={id} /> : <OrdersPage query={query} />;
    case 'sagas':
      return id ? <SagaPage id={id} /> : <SagasPage query={query} />;
    case 'dead-letters':
      return <DeadLettersPage />;
    case 'live':
      return <LivePage />;
    case 'token':
      return <TokenPage query={query} />;
    default:
      return <Empty>No such page. Pick a section above.</Empty>;
  }
}
