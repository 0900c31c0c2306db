// Starts GraphiQL with the explorer on /graphql. Browser sessions live in
// cookies: every request echoes the CSRF cookie, read when it is sent since a
// sign-in from GraphiQL sets it after the page loaded.
const root = document.getElementById("graphiql");
const csrfCookie = root.dataset.csrfCookie;
const csrfHeader = root.dataset.csrfHeader;

const EXAMPLE_QUERY = `# GraphiQL : écrivez une requête, lancez-la avec Ctrl-Entrée.
# GraphiQL: type a query, run it with Ctrl-Enter.

{
  viewer {
    authenticated
    name
  }
}
`;

// The query, variables and headers are kept in the address, to share them.
const parameters = {};
for (const entry of window.location.search.slice(1).split("&")) {
  const eq = entry.indexOf("=");
  if (eq >= 0) {
    parameters[decodeURIComponent(entry.slice(0, eq))] = decodeURIComponent(entry.slice(eq + 1));
  }
}

function updateURL(data) {
  Object.assign(parameters, data);
  const search = Object.keys(parameters)
    .filter((key) => Boolean(parameters[key]))
    .map((key) => encodeURIComponent(key) + "=" + encodeURIComponent(parameters[key]))
    .join("&");
  history.replaceState(null, null, "?" + search);
}

function fetchWithCsrfToken(input, init) {
  const token = Cookies.get(csrfCookie);
  if (!token) {
    return fetch(input, init);
  }
  return fetch(input, { ...init, headers: { ...init.headers, [csrfHeader]: token } });
}

const fetcher = GraphiQL.createFetcher({
  url: window.location.href.split("?")[0],
  fetch: fetchWithCsrfToken,
});

function GraphiQLWithExplorer() {
  const [query, setQuery] = React.useState(parameters.q || EXAMPLE_QUERY);
  const [variables, setVariables] = React.useState(parameters.variables);
  const [headers, setHeaders] = React.useState(parameters.headers);
  const explorer = React.useMemo(() => GraphiQLPluginExplorer.explorerPlugin(), []);

  return React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultEditorToolsVisibility: true,
    plugins: [explorer],
    query: query,
    variables: variables,
    headers: headers,
    onEditQuery: (value) => {
      setQuery(value);
      updateURL({ q: value });
    },
    onEditVariables: (value) => {
      setVariables(value);
      updateURL({ variables: value });
    },
    onEditHeaders: setHeaders,
    inputValueDeprecation: true,
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: true,
  });
}

ReactDOM.createRoot(root).render(React.createElement(GraphiQLWithExplorer));
