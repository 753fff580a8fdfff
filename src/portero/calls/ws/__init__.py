"""The WebSockets of the two call pages (the customer's and the agent's console): state pushed
on every change, and signalling and chat relayed between the two parties of a call."""
