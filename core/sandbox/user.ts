/**
 * The unprivileged user every sandbox runs as (containers, Swarm tasks, the offline image's /etc/passwd). Its own
 * module so that naming it does not load the offline image builder (tar-stream) on every run.
 */
export const SANDBOX_UID = 1000;
