// channels, parent half: the worker's per-channel and per-head importance is the result as it is.
import { defineJobKindHost } from "../JobKindHost.js";

export const channelsHost = defineJobKindHost({ kind: "channels" });
