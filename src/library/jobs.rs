//! Work that takes more than a moment (following a feed, saving a page,
//! importing files, refreshing feeds) runs in the background as a job:
//! a list of items done a few at a time, each with its outcome (added,
//! already there, failed and why), with progress sent to whoever watches,
//! Cancel, and Retry for the items that failed.

use std::collections::{HashSet, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, Notify, Semaphore};
use ts_rs::TS;

use super::fetch::Fetcher;
use super::images::ImageBudget;
use super::{files, pages, sources};
use crate::ids::{SourceId, UserId};
use crate::store::Store;
use crate::users::User;
use crate::{Error, Result};

/// Items of one job worked on at once.
const AT_ONCE: usize = 4;
/// Items of all jobs worked on at once: a person's second job shares the
/// same few workers as their first (and Parley's own refreshes), so no
/// number of jobs can make Parley fetch and parse more at once.
pub const ITEMS_AT_ONCE: usize = 6;
/// Jobs one person may have running at once.
pub const RUNNING_PER_PERSON: usize = 20;
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
    /// Import a file sent to a server: its name and what is in it.
    ImportBytes { name: String, bytes: Arc<Vec<u8>> },
    /// Refresh this source (its title labels the item).
    Refresh { source: SourceId, title: String },
}

/// What became of one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
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
    /// Done, with nothing to add: the feed has no entries.
    Empty {
        why: String,
    },
    Failed {
        why: String,
    },
    Cancelled,
}

/// One item of a job, as the progress panel shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct JobItem {
    /// What it is: an address, a file name, a feed's title.
    pub label: String,
    pub state: ItemState,
    /// Lines for the log beneath it: entries skipped or read in part,
    /// older articles that made room.
    pub notes: Vec<String>,
}

/// A job, as the progress panel shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
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

impl Job {
    fn owner(&self) -> Option<UserId> {
        self.user.as_ref().map(|u| u.id)
    }
}

/// A change to a job, and whose job it is (`None`: Parley's own, such as
/// the scheduled refresh).
#[derive(Debug, Clone)]
pub struct JobUpdate {
    pub owner: Option<UserId>,
    pub view: JobView,
}

/// Who sees a job: its owner and the admin; Parley's own jobs (feeds
/// refreshed on schedule) everyone signed in. Nobody signed out.
pub fn visible(owner: Option<UserId>, viewer: Option<&User>) -> bool {
    match viewer {
        None => false,
        Some(viewer) => viewer.is_admin() || owner.is_none_or(|o| o == viewer.id),
    }
}

/// Job `id`, for `by` to cancel or retry: its owner and the admin may.
/// Someone who may not even see it is told it has ended.
fn managed<'a>(jobs: &'a VecDeque<Job>, id: u64, by: &User) -> Result<&'a Job> {
    let job = jobs
        .iter()
        .find(|j| j.view.id == id && visible(j.owner(), Some(by)))
        .ok_or_else(|| Error::NotFound("That job has ended.".into()))?;
    if by.is_admin() || job.owner() == Some(by.id) {
        Ok(job)
    } else {
        Err(Error::Forbidden(
            "Only the admin can stop or retry Parley's own work.".into(),
        ))
    }
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
    updates: broadcast::Sender<JobUpdate>,
    /// Sources being refreshed now, by any job: a second refresh of one
    /// waits for nothing and does nothing.
    refreshing: Mutex<HashSet<SourceId>>,
    /// Turns to work on an item, shared by every job.
    workers: Arc<Semaphore>,
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
            refreshing: Mutex::default(),
            workers: Arc::new(Semaphore::new(ITEMS_AT_ONCE)),
        })
    }

    /// The fetcher jobs use (and so the policy they keep).
    pub fn fetcher(&self) -> &Fetcher {
        &self.fetcher
    }

    /// The jobs still remembered that `viewer` may see, newest first.
    pub fn visible_to(&self, viewer: Option<&User>) -> Vec<JobView> {
        self.lock()
            .iter()
            .rev()
            .filter(|j| visible(j.owner(), viewer))
            .map(|j| j.view.clone())
            .collect()
    }

    /// Each change to any job, as it happens (filter with [`visible`]).
    pub fn watch(&self) -> broadcast::Receiver<JobUpdate> {
        self.updates.subscribe()
    }

    /// Whether a job with this title is still running (so the scheduler
    /// does not start a second refresh of everything).
    pub fn running(&self, title: &str) -> bool {
        self.lock()
            .iter()
            .any(|j| !j.view.finished && j.view.title == title)
    }

    /// Whether any job is still running.
    pub fn any_running(&self) -> bool {
        self.lock().iter().any(|j| !j.view.finished)
    }

    /// Starts `tasks` as one job, for `user` (who the additions are by; a
    /// scheduled refresh has none). Returns its id at once. Fails with
    /// [`Error::Invalid`] when `user` already has
    /// [`RUNNING_PER_PERSON`] jobs running.
    pub fn start(
        self: &Arc<Self>,
        title: &str,
        user: Option<User>,
        tasks: Vec<Task>,
    ) -> Result<u64> {
        if let Some(user) = &user {
            let running = self
                .lock()
                .iter()
                .filter(|j| !j.view.finished && j.owner() == Some(user.id))
                .count();
            if running >= RUNNING_PER_PERSON {
                return Err(Error::invalid(format!(
                    "You have {running} imports and refreshes running. Wait for some to \
                     finish, or cancel them, then try again."
                )));
            }
        }
        Ok(self.begin(title, user, tasks))
    }

    fn begin(self: &Arc<Self>, title: &str, user: Option<User>, tasks: Vec<Task>) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        let cancel = Arc::new(Cancel::default());
        let items: Vec<JobItem> = tasks
            .iter()
            .map(|task| JobItem {
                label: label_of(task),
                state: ItemState::Waiting,
                notes: Vec::new(),
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
        let _ = self.updates.send(JobUpdate {
            owner: user.as_ref().map(|u| u.id),
            view,
        });
        let jobs = Arc::clone(self);
        tokio::spawn(async move { jobs.run(id, user, tasks, cancel).await });
        id
    }

    /// Asks job `id` to stop, for `by` (its owner or the admin): items not
    /// started are cancelled, items in flight are abandoned (anything
    /// half-written is rolled back).
    pub fn cancel(&self, id: u64, by: &User) -> Result<()> {
        let jobs = self.lock();
        managed(&jobs, id, by)?.cancel.cancel();
        Ok(())
    }

    /// Starts a new job, for `by` (the owner or the admin), with the items
    /// of job `id` that failed or were cancelled; `None` if there are none.
    pub fn retry(self: &Arc<Self>, id: u64, by: &User) -> Result<Option<u64>> {
        let (title, user, tasks) = {
            let jobs = self.lock();
            let job = managed(&jobs, id, by)?;
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
        if tasks.is_empty() {
            return Ok(None);
        }
        self.start(&title, user, tasks).map(Some)
    }

    async fn run(
        self: Arc<Self>,
        id: u64,
        user: Option<User>,
        tasks: Vec<Task>,
        cancel: Arc<Cancel>,
    ) {
        let permits = Arc::new(Semaphore::new(AT_ONCE));
        // Files in one job share one budget for their images (each feed
        // has its own).
        let budget = Arc::new(
            ImageBudget::for_batch(&self.store, None)
                .await
                .unwrap_or_else(|_| ImageBudget::new(0, 0)),
        );
        let mut running = tokio::task::JoinSet::new();
        for (index, task) in tasks.into_iter().enumerate() {
            let Ok(permit) = Arc::clone(&permits).acquire_owned().await else {
                break;
            };
            let (jobs, user, cancel) = (Arc::clone(&self), user.clone(), Arc::clone(&cancel));
            let budget = Arc::clone(&budget);
            let workers = Arc::clone(&self.workers);
            running.spawn(async move {
                let _permit = permit;
                // A turn among every job's items; cancelling stops the wait.
                let turn = tokio::select! {
                    turn = workers.acquire_owned() => turn.ok(),
                    () = cancel.wait() => None,
                };
                if cancel.asked() || turn.is_none() {
                    jobs.set(id, index, ItemState::Cancelled);
                    return;
                }
                jobs.set(id, index, ItemState::Working);
                let (outcome, notes) = tokio::select! {
                    outcome = jobs.perform(user.as_ref(), &task, &budget) => outcome,
                    () = cancel.wait() => (ItemState::Cancelled, Vec::new()),
                };
                jobs.note(id, index, notes);
                jobs.set(id, index, outcome);
            });
        }
        while running.join_next().await.is_some() {}
        self.finish(id, cancel.asked());
    }

    /// Does `task`; returns how it ended and the notes for its log.
    async fn perform(
        &self,
        user: Option<&User>,
        task: &Task,
        budget: &ImageBudget,
    ) -> (ItemState, Vec<String>) {
        let (store, fetcher) = (&self.store, &self.fetcher);
        // Parley's own refreshes are by nobody; everything else needs
        // someone signed in.
        let user = match (task, user) {
            (Task::Refresh { source, .. }, _) => return self.refresh(*source).await,
            (_, Some(user)) => user,
            (_, None) => return (failed(&Error::Unauthorized), Vec::new()),
        };
        let state = match task {
            Task::Follow(address) => {
                return match sources::follow(store, fetcher, user, address).await {
                    Ok(done) => refreshed(done),
                    Err(e) => (failed(&e), Vec::new()),
                }
            }
            Task::SavePage(address) => match pages::save(store, fetcher, user, address).await {
                Ok(saved) if saved.already_there => ItemState::AlreadyThere,
                Ok(_) => added(1),
                Err(e) => failed(&e),
            },
            Task::ImportFile(path) => {
                match files::import_path(store, Some((fetcher, budget)), user, path).await {
                    Ok(imported) if imported.already_there => ItemState::AlreadyThere,
                    Ok(_) => added(1),
                    Err(e) => failed(&e),
                }
            }
            Task::ImportBytes { name, bytes } => {
                match files::import(store, Some((fetcher, budget)), user, name, bytes).await {
                    Ok(imported) if imported.already_there => ItemState::AlreadyThere,
                    Ok(_) => added(1),
                    Err(e) => failed(&e),
                }
            }
            Task::Refresh { source, .. } => return self.refresh(*source).await,
        };
        (state, Vec::new())
    }

    /// Refreshes `source`, unless another job is at it right now.
    async fn refresh(&self, source: SourceId) -> (ItemState, Vec<String>) {
        let Some(_claim) = Refreshing::claim(&self.refreshing, source) else {
            return (ItemState::AlreadyThere, Vec::new());
        };
        match sources::refresh(&self.store, &self.fetcher, source).await {
            Ok(done) => refreshed(done),
            Err(e) => (failed(&e), Vec::new()),
        }
    }

    fn note(&self, id: u64, index: usize, notes: Vec<String>) {
        if notes.is_empty() {
            return;
        }
        let mut jobs = self.lock();
        if let Some(item) = jobs
            .iter_mut()
            .find(|j| j.view.id == id)
            .and_then(|j| j.view.items.get_mut(index))
        {
            item.notes = notes;
        }
    }

    fn set(&self, id: u64, index: usize, state: ItemState) {
        let update = {
            let mut jobs = self.lock();
            let Some(job) = jobs.iter_mut().find(|j| j.view.id == id) else {
                return;
            };
            let owner = job.owner();
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
                    ItemState::AlreadyThere | ItemState::Empty { .. } | ItemState::Cancelled => {
                        view.done += 1;
                    }
                    ItemState::Waiting => {}
                }
                item.state = state;
            }
            JobUpdate {
                owner,
                view: view.clone(),
            }
        };
        let _ = self.updates.send(update);
    }

    fn finish(&self, id: u64, cancelled: bool) {
        let update = {
            let mut jobs = self.lock();
            let Some(job) = jobs.iter_mut().find(|j| j.view.id == id) else {
                return;
            };
            job.view.finished = true;
            job.view.cancelled = cancelled;
            job.view.current = None;
            JobUpdate {
                owner: job.owner(),
                view: job.view.clone(),
            }
        };
        let _ = self.updates.send(update);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Job>> {
        // Views are replaced whole: a panic elsewhere leaves nothing
        // half-written.
        self.jobs.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn failed(e: &Error) -> ItemState {
    ItemState::Failed {
        why: e.to_body().message,
    }
}

/// How a follow or refresh ended, and its notes.
fn refreshed(done: sources::Refreshed) -> (ItemState, Vec<String>) {
    let state = match done.error {
        Some(why) => ItemState::Failed { why },
        None if done.empty => ItemState::Empty {
            why: super::feeds::NO_ENTRIES.to_owned(),
        },
        None => added(done.added),
    };
    (state, done.notes)
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
        Task::ImportBytes { name, .. } => name.clone(),
        Task::Refresh { title, .. } => title.clone(),
    }
}

/// A feed being refreshed by some job, so that no other job refreshes it at
/// the same time. Released when dropped, also when the job is cancelled
/// mid-refresh.
struct Refreshing<'a> {
    set: &'a Mutex<HashSet<SourceId>>,
    source: SourceId,
}

impl<'a> Refreshing<'a> {
    fn claim(set: &'a Mutex<HashSet<SourceId>>, source: SourceId) -> Option<Self> {
        let fresh = set
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(source);
        fresh.then_some(Self { set, source })
    }
}

impl Drop for Refreshing<'_> {
    fn drop(&mut self) {
        self.set
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.source);
    }
}
