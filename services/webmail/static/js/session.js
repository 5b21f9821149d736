// session.js - who is logged in: the account object of POST /api/login (null when logged out),
// and which page is showing.
export const session = { account: null, route: 0 };

// sessionRouteStart - a new page is being shown; returns its number for sessionRouteIsCurrent
export function sessionRouteStart() {
  session.route += 1;
  return session.route;
}

// sessionRouteIsCurrent - whether the page numbered route is still the one showing. A page
// that awaited the server must not draw or redirect once the user has gone elsewhere: a
// late answer would otherwise replace the page the user went to.
export function sessionRouteIsCurrent(route) {
  return route === session.route;
}
