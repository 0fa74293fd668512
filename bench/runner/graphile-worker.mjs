// One Graphile Worker 0.17 process for bench/runner/run.sh, through its documented API only:
// run({connectionString, concurrency, taskList, noHandleSignals, preset}). Tasks: `noop` (returns at
// once) and `sleep10` (waits 10 ms). GW_MODE=defaults | batched (localQueue.size GW_LOCAL_QUEUE,
// completeJobBatchDelay 0, failJobBatchDelay 0). Prints READY once it listens; exits on SIGTERM.
import { createRequire } from "node:module";

// graphile-worker is installed by run.sh under bench/.out/graphile (GW_DIR), not in the repository.
const { run } = createRequire(process.env.GW_DIR + "/package.json")("graphile-worker");

const mode = process.env.GW_MODE ?? "defaults";
const concurrency = Number(process.env.GW_CONCURRENCY ?? 24);
const preset = mode === "batched"
  ? { worker: { localQueue: { size: Number(process.env.GW_LOCAL_QUEUE ?? 200) }, completeJobBatchDelay: 0,
      failJobBatchDelay: 0 } }
  : {};

const runner = await run({
  connectionString: process.env.GW_DATABASE_URL,
  concurrency,
  noHandleSignals: true,
  taskList: {
    noop: async () => {},
    sleep10: () => new Promise((resolve) => setTimeout(resolve, 10)),
  },
  preset,
});
console.log("READY");
const stop = async () => { await runner.stop(); process.exit(0); };
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
await runner.promise;
