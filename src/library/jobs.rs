//! Work that takes more than a moment (following a feed, saving a page,
//! importing files, refreshing feeds) runs in the background as a job:
//! a list of items done a few at a time, each with its outcome (added,
//! already there, failed and why), with progress sent to whoever watches,
//! Cancel, and Retry for the items that failed.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use serde::Serialize;
use tokio::sync::{broadcast, Notify, Semaphore};
use ts_rs::TS;

use super::fetch::Fetcher;
use super::{files, pages, sources};
use crate::accounts::User;
use crate::ids::SourceId;
use crate::store::Store;

/// Items of one job worked on at once.
const AT_ONCE: usize = 4;
/// Finished jobs remembered for the progress panel.
const KEPT: usize = 20;

/// One thing a job does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Task {
    /// Follow the feed at this address (or its website's).
    Follow(String),
    /// Save the page at this address.
    SavePage(String),
    /// Import this file (chosen in a native dialog).
    ImportFile(PathBuf),
    /// Refresh this source (its title labels the item).
    Refresh { source: SourceId, title: String },
}

/// What became of one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase", tag = "state")]
#[ts(rename_all = "camelCase", tag = "state")]
pub enum ItemState {
    Waiting,
    Working,
    /// Done: this many articles were added.
    Added {
        articles: u32,
    },
    /// Done: it was all in the library already (or the feed had not
    /// changed).
    AlreadyThere,
    Failed {
        why: String,
    },
    Cancelled,
}

/// One item of a job, as the progress panel shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct JobItem {
    /// What it is: an address, a file name, a feed's title.
    pub label: String,
    pub state: ItemState,
}

/// A job, as the progress panel shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct JobView {
    #[ts(type = "number")]
    pub id: u64,
    /// "Importing 3 files", "Refreshing 12 feeds".
    pub title: String,
    pub total: u32,
    /// Items finished, whatever their outcome.
    pub done: u32,
    pub failed: u32,
    /// Articles added so far.
    pub added: u32,
    /// What it is working on now.
    pub current: Option<String>,
    pub items: Vec<JobItem>,
    pub finished: bool,
    pub cancelled: bool,
}

struct Job {
    view: JobView,
    tasks: Vec<Task>,
    user: Option<User>,
    cancel: Arc<Cancel>,
}

#[derive(Default)]
struct Cancel {
    asked: AtomicBool,
    notify: Notify,
}

impl Cancel {
    fn cancel(&self) {
        self.asked.store(true, Ordering::SeqCst);
        self.notify.notify_waiters();
    }

    fn asked(&self) -> bool {
        self.asked.load(Ordering::SeqCst)
    }

    async fn wait(&self) {
        while !self.asked() {
            let notified = self.notify.notified();
            if self.asked() {
                return;
            }
            notified.await;
        }
    }
}

/// The jobs of one running Parley. Cheap to share (an `Arc`).
pub struct Jobs {
    store: Store,
    fetcher: Fetcher,
    jobs: Mutex<VecDeque<Job>>,
    next_id: AtomicU64,
    updates: broadcast::Sender<JobView>,
}

impl std::fmt::Debug for Jobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jobs").finish_non_exhaustive()
    }
}

impl Jobs {
    pub fn new(store: Store, fetcher: Fetcher) -> Arc<Self> {
        let (updates, _) = broadcast::channel(256);
        Arc::new(Self {
            store,
            fetcher,
            jobs: Mutex::new(VecDeque::new()),
            next_id: AtomicU64::new(1),
            updates,
        })
    }

    /// The fetcher jobs use (and so the policy they keep).
    pub fn fetcher(&self) -> &Fetcher {
        &self.fetcher
    }

    /// Every job still remembered, newest first.
    pub fn all(&self) -> Vec<JobView> {
        self.lock().iter().rev().map(|j| j.view.clone()).collect()
    }

    /// Each change to any job, as it happens.
    pub fn watch(&self) -> broadcast::Receiver<JobView> {
        self.updates.subscribe()
    }

    /// Whether a job with this title is still running (so the scheduler
    /// does not start a second refresh of everything).
    pub fn running(&self, title: &str) -> bool {
        self.lock()
            .iter()
            .any(|j| !j.view.finished && j.view.title == title)
    }

    /// Starts `tasks` as one job, for `user` (who the additions are by; a
    /// scheduled refresh has none). Returns its id at once.
    pub fn start(self: &Arc<Self>, title: &str, user: Option<User>, tasks: Vec<Task>) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        let cancel = Arc::new(Cancel::default());
        let items: Vec<JobItem> = tasks
            .iter()
            .map(|task| JobItem {
                label: label_of(task),
                state: ItemState::Waiting,
            })
            .collect();
        let view = JobView {
            id,
            title: title.to_owned(),
            total: u32::try_from(items.len()).unwrap_or(u32::MAX),
            done: 0,
            failed: 0,
            added: 0,
            current: None,
            items,
            finished: tasks.is_empty(),
            cancelled: false,
        };
        {
            let mut jobs = self.lock();
            jobs.push_back(Job {
                view: view.clone(),
                tasks: tasks.clone(),
                user: user.clone(),
                cancel: cancel.clone(),
            });
            while jobs.len() > KEPT {
                match jobs.iter().position(|j| j.view.finished) {
                    Some(at) => drop(jobs.remove(at)),
                    None => break,
                }
            }
        }
        let _ = self.updates.send(view);
        let jobs = Arc::clone(self);
        tokio::spawn(async move { jobs.run(id, user, tasks, cancel).await });
        id
    }

    /// Asks job `id` to stop: items not started are cancelled, items in
    /// flight are abandoned (anything half-written is rolled back).
    pub fn cancel(&self, id: u64) {
        if let Some(job) = self.lock().iter().find(|j| j.view.id == id) {
            job.cancel.cancel();
        }
    }

    /// Starts a new job with the items of job `id` that failed or were
    /// cancelled. `None` if there are none (or no such job).
    pub fn retry(self: &Arc<Self>, id: u64) -> Option<u64> {
        let (title, user, tasks) = {
            let jobs = self.lock();
            let job = jobs.iter().find(|j| j.view.id == id)?;
            let tasks: Vec<Task> = job
                .view
                .items
                .iter()
                .zip(&job.tasks)
                .filter(|(item, _)| {
                    matches!(item.state, ItemState::Failed { .. } | ItemState::Cancelled)
                })
                .map(|(_, task)| task.clone())
                .collect();
            (
                format!("Retrying: {}", job.view.title),
                job.user.clone(),
                tasks,
            )
        };
        (!tasks.is_empty()).then(|| self.start(&title, user, tasks))
    }

    async fn run(
        self: Arc<Self>,
        id: u64,
        user: Option<User>,
        tasks: Vec<Task>,
        cancel: Arc<Cancel>,
    ) {
        let permits = Arc::new(Semaphore::new(AT_ONCE));
        let mut running = tokio::task::JoinSet::new();
        for (index, task) in tasks.into_iter().enumerate() {
            let Ok(permit) = Arc::clone(&permits).acquire_owned().await else {
                break;
            };
            let (jobs, user, cancel) = (Arc::clone(&self), user.clone(), Arc::clone(&cancel));
            running.spawn(async move {
                let _permit = permit;
                if cancel.asked() {
                    jobs.set(id, index, ItemState::Cancelled);
                    return;
                }
                jobs.set(id, index, ItemState::Working);
                let outcome = tokio::select! {
                    outcome = jobs.perform(user.as_ref(), &task) => outcome,
                    () = cancel.wait() => ItemState::Cancelled,
                };
                jobs.set(id, index, outcome);
            });
        }
        while running.join_next().await.is_some() {}
        self.finish(id, cancel.asked());
    }

    async fn perform(&self, user: Option<&User>, task: &Task) -> ItemState {
        let (store, fetcher) = (&self.store, &self.fetcher);
        let failed = |e: crate::Error| ItemState::Failed {
            why: e.to_body().message,
        };
        let signed_in = || user.ok_or(crate::Error::Unauthorized);
        match task {
            Task::Follow(address) => match signed_in() {
                Ok(user) => match sources::follow(store, fetcher, user, address).await {
                    Ok(done) => added(done.added),
                    Err(e) => failed(e),
                },
                Err(e) => failed(e),
            },
            Task::SavePage(address) => match signed_in() {
                Ok(user) => match pages::save(store, fetcher, user, address).await {
                    Ok(saved) if saved.already_there => ItemState::AlreadyThere,
                    Ok(_) => added(1),
                    Err(e) => failed(e),
                },
                Err(e) => failed(e),
            },
            Task::ImportFile(path) => match signed_in() {
                Ok(user) => match files::import_path(store, Some(fetcher), user, path).await {
                    Ok(imported) if imported.already_there => ItemState::AlreadyThere,
                    Ok(_) => added(1),
                    Err(e) => failed(e),
                },
                Err(e) => failed(e),
            },
            Task::Refresh { source, .. } => match sources::refresh(store, fetcher, *source).await {
                Ok(done) => match done.error {
                    Some(why) => ItemState::Failed { why },
                    None => added(done.added),
                },
                Err(e) => failed(e),
            },
        }
    }

    fn set(&self, id: u64, index: usize, state: ItemState) {
        let view = {
            let mut jobs = self.lock();
            let Some(job) = jobs.iter_mut().find(|j| j.view.id == id) else {
                return;
            };
            let view = &mut job.view;
            if let Some(item) = view.items.get_mut(index) {
                match &state {
                    ItemState::Working => view.current = Some(item.label.clone()),
                    ItemState::Added { articles } => {
                        view.done += 1;
                        view.added += articles;
                    }
                    ItemState::Failed { .. } => {
                        view.done += 1;
                        view.failed += 1;
                    }
                    ItemState::AlreadyThere | ItemState::Cancelled => view.done += 1,
                    ItemState::Waiting => {}
                }
                item.state = state;
            }
            view.clone()
        };
        let _ = self.updates.send(view);
    }

    fn finish(&self, id: u64, cancelled: bool) {
        let view = {
            let mut jobs = self.lock();
            let Some(job) = jobs.iter_mut().find(|j| j.view.id == id) else {
                return;
            };
            job.view.finished = true;
            job.view.cancelled = cancelled;
            job.view.current = None;
            job.view.clone()
        };
        let _ = self.updates.send(view);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Job>> {
        // Views are replaced whole: a panic elsewhere leaves nothing
        // half-written.
        self.jobs.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn added(articles: u32) -> ItemState {
    if articles == 0 {
        ItemState::AlreadyThere
    } else {
        ItemState::Added { articles }
    }
}

fn label_of(task: &Task) -> String {
    match task {
        Task::Follow(address) | Task::SavePage(address) => address.trim().to_owned(),
        Task::ImportFile(path) => path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ),
        Task::Refresh { title, .. } => title.clone(),
    }
}
