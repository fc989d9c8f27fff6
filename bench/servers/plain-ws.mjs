/** Peer 2: rooms on plain `ws`, each broadcast encoded and framed once, written per member socket. */
import { startRoomsServer } from "./ws-rooms.mjs";

startRoomsServer({ cork: false });
