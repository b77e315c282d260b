"""The outside world's stand-ins: the only places the simulator opens a socket, each bound to
127.0.0.1 and only while its Lab runs (the account over HTTP, the load balancers' proxy)."""
