// session.js - who is logged in: the account object of POST /api/login (null when logged out).
export const session = { account: null };
