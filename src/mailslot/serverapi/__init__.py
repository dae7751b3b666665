"""The server API (`/server/...`): what a host application's backend calls with a server
key (mailslot.keys), never with a user's token."""
