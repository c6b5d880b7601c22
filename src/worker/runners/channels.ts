// channels, worker half: every FFN channel's and head's importance on calibration text.
import { loadNative } from "../native/loadAddon.js";
import { measureChannels } from "../pruning/measureChannels.js";
import { defineRunner } from "../Runner.js";

export default defineRunner("channels", async (params, context) =>
  measureChannels(await loadNative(params.settings), params, context),
);
