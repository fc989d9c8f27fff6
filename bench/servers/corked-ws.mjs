/** Peer 3 (the ceiling): as plain-ws, plus one cork/uncork per socket per event-loop turn. */
import { startRoomsServer } from "./ws-rooms.mjs";

startRoomsServer({ cork: true });
