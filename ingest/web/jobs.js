// Talking to the API: submitting a job, following it live, reading one file's record.
// Following uses the job's Server-Sent Events; when EventSource is missing or the stream fails
// for good, it polls GET /api/v1/jobs/{id} instead, and the callbacks cannot tell the difference.

const FINAL_JOB = new Set(["COMPLETED", "PARTIALLY_COMPLETED", "FAILED"]);
const FINAL_TASK = new Set(["SUCCESS", "FAILURE"]);
const POLL_MS = 1000;
const PAGE_SIZE = 500;
const STREAM_FAILURES = 3; // errors in a row, without an event between them, before polling instead

// An API answer that is not 2xx, with the service's {error: {code, message}} when it sent one.
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function api(path, options = {}) {
  let answer;
  try {
    answer = await fetch(path, options);
  } catch (error) {
    throw new ApiError(0, "NETWORK_ERROR", `the service did not answer (${error.message})`);
  }
  const text = await answer.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!answer.ok) {
    const error = body && body.error ? body.error : { code: `HTTP_${answer.status}`, message: text.slice(0, 200) };
    throw new ApiError(answer.status, error.code, error.message);
  }
  return body;
}

export function submitJob(submission) {
  return api("/api/v1/jobs", submission);
}

// One file's stored record; retried briefly while the sink has not written it yet (409).
export async function fileRecord(taskId, attempts = 20) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await api(`/api/v1/tasks/${taskId}/result`);
    } catch (error) {
      if (error.status !== 409 || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

// Calls on.file(f) once per finished file (in file order), on.progress(p), then on.end(e) once;
// on.transport(name) says which way the page follows ("events" or "polling"). Returns a stop function.
export function follow(jobId, on) {
  const seen = new Set();
  let stopped = false;
  let source = null;
  let timer = null;
  const file = (data) => {
    if (!seen.has(data.task_id)) {
      seen.add(data.task_id);
      on.file(data);
    }
  };
  const stop = () => {
    stopped = true;
    if (source) source.close();
    clearTimeout(timer);
  };
  const finish = (data) => {
    stop();
    on.end(data);
  };

  const poll = async () => {
    if (stopped) return;
    try {
      const job = await api(`/api/v1/jobs/${jobId}?size=${PAGE_SIZE}`);
      const tasks = await allTasks(jobId, job);
      tasks.sort((a, b) => a.ordinal - b.ordinal);
      for (const task of tasks.filter((t) => FINAL_TASK.has(t.task_status))) file(fileOfTask(task));
      const done = job.tasks_succeeded + job.tasks_failed;
      on.progress({ task_count: job.task_count, done, succeeded: job.tasks_succeeded, failed: job.tasks_failed });
      if (FINAL_JOB.has(job.job_status)) {
        finish({ job_id: job.job_id, job_status: job.job_status, task_count: job.task_count,
                 tasks_succeeded: job.tasks_succeeded, tasks_failed: job.tasks_failed });
        return;
      }
    } catch (error) {
      if (error.status >= 400 && error.status < 500) {
        stop();
        on.error(error);
        return;
      }
    }
    if (!stopped) timer = setTimeout(poll, POLL_MS);
  };
  const startPolling = () => {
    if (source) source.close();
    source = null;
    on.transport("polling");
    poll();
  };

  if (typeof EventSource !== "function") {
    startPolling();
    return stop;
  }
  let failures = 0;
  source = new EventSource(`/api/v1/jobs/${jobId}/events`);
  on.transport("events");
  const handle = (name, callback) => source.addEventListener(name, (event) => {
    failures = 0;
    callback(JSON.parse(event.data));
  });
  handle("file", file);
  handle("progress", (data) => on.progress(data));
  handle("end", finish);
  source.addEventListener("error", () => {
    failures += 1;
    // CLOSED: the answer was not a stream (no such route, an error status); else it keeps failing.
    if (!stopped && (source.readyState === EventSource.CLOSED || failures >= STREAM_FAILURES)) startPolling();
  });
  return stop;
}

async function allTasks(jobId, first) {
  const tasks = [...first.tasks];
  for (let page = 2; tasks.length < (first.task_count || 0) && page <= 1000; page += 1) {
    const next = await api(`/api/v1/jobs/${jobId}?size=${PAGE_SIZE}&page=${page}`);
    if (next.tasks.length === 0) break;
    tasks.push(...next.tasks);
  }
  return tasks;
}

function fileOfTask(task) {
  return { task_id: task.task_id, file_name: task.file_name, status: task.task_status,
           violations: task.violation_count || 0, error_code: task.error ? task.error.code : null };
}
