// The ES module entry: the same objects as the CommonJS one (one implementation, one
// SenderError class whichever way it is loaded).
import cjs from "./index.cjs";

export const { startSender, connect, Sender, SenderError, findBinary, MAX_SERVER_WAIT_MS } = cjs;
export default cjs;
