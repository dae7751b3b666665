"""Jobs: long work a request starts and a host follows (`GET /server/jobs/{id}`)."""
