"""One webhook worker: the polling bot's handlers fed by HTTP, with every piece of state in the store.

The worker runs the same PTB `Application`, handlers, rendering and per-user processing as
`legalbot run` (`adapter.build_application`), without PTB's updater: `handle` hands each update
in. What one polling process keeps in memory comes from the store instead, because any worker may
get a user's next update: sessions (`DatabaseSessions`), flood counters (`SharedFloodGate`), the
bot-wide send budget (`SharedRateLimiter`) and the intents' generation (`KnowledgeSync`).

Exactly-once, as far as it can be had. Telegram re-delivers an update when its delivery failed or
timed out, and the load balancer re-sends a request whose worker died to another worker. So:

* An update is *claimed* in the store before anything is done (`claim_update`); a re-delivery of a
  finished update is answered 200 and nothing else. While another worker's claim stands, the
  answer is 409 with ``Retry-After`` (the rest of its lease): Telegram tries again then, and the
  load balancer does not count it against this healthy worker, as it would a 503.
* The update is processed *before* the HTTP answer. A worker killed mid-update never said 200, so
  Telegram or the load balancer re-sends it, and once the dead worker's lease (`CLAIM_LEASE`
  seconds) has lapsed another worker takes it over. Claims in hand are renewed every
  `RENEW_EVERY` seconds, so a slow update (a queue for the send budget, an export) keeps its claim.
* A takeover must not log the inquiry twice: inquiries are logged under their update id, and a
  second log of it returns the first row (so the 👍/👎 buttons carry the same id).
* The update is marked finished, and the session saved, at the last moment before the answer's
  last message leaves — after any wait for the send budget (`ratelimit.BeforeSend`). A
  worker killed before then leaves the session as the user saw it and the update to a takeover;
  one killed after has its answer on the way and the update done.

What remains is the time one request takes to reach Telegram once the claim is finished (about a
millisecond on a LAN): a worker killed exactly then loses that answer; the resident asks again.
Updates that answer without a reply of their own (a button's toast, admin reports) are finished
after they are handled, so one of those may be repeated by a takeover instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from dataclasses import dataclass
from typing import Any

from telegram import Update

from ...app.runtime import Health, Runtime
from ...conversation import Turn
from ...core.responder import Responder
from ...settings import Settings
from ...store.base import Store
from .adapter import CHANNEL, TelegramBot, build_application
from .ratelimit import SharedRateLimiter

logger = logging.getLogger(__name__)

CLAIM_LEASE = 10.0  # a dead worker's update waits this long for another worker
RENEW_EVERY = 3.0  # well inside the lease, so a live worker never loses its claim


@dataclass(frozen=True)
class Outcome:
    """What to answer Telegram for one update: a status, and for 409 when to try again."""

    status: int
    retry_after: int | None = None


def message_key(update_id: int) -> str:
    return f"{CHANNEL}:{update_id}"


class WebhookWorker:
    """A `TelegramBot` wired for the webhook, its lifecycle, and the claim around each update.

    Given a started ``runtime`` (`legalbot serve`, beside other channels) it uses that one; else
    it runs its own over ``store``, shared with the other workers.
    """

    def __init__(self, settings: Settings, responder: Responder, store: Store, runtime: Runtime | None = None):
        self.store = store
        self.owns_runtime = runtime is None
        self.runtime = runtime or Runtime(settings, responder, self._opened_store, shared=True)
        self.bot = TelegramBot(self.runtime, owns_runtime=False, on_commit=self._answered)
        self.app = build_application(settings, self.bot, SharedRateLimiter(store, settings.send_rate), polling=False)
        self.in_hand: dict[int, float] = {}  # update id → when claimed (monotonic)
        self.answered: set[int] = set()  # in hand, and already marked finished by `_answered`
        self.renewing: asyncio.Task | None = None
        self.ready = False

    async def _opened_store(self) -> Store:
        return self.store

    # ---- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        """What `run_polling` does before fetching updates: initialize (getMe: `InvalidToken`,
        `NetworkError` for the caller), `post_init` (commands), start."""
        if self.owns_runtime:
            await self.runtime.start()
        await self.app.initialize()
        await self.bot.post_init(self.app)
        await self.app.start()
        self.renewing = asyncio.create_task(self._renew_claims())
        self.ready = True
        logger.info("webhook worker ready")

    async def stop(self) -> None:
        """After the HTTP server has finished the updates in hand: stop PTB (and an own runtime,
        which closes the store)."""
        self.ready = False
        try:
            if self.renewing is not None:
                self.renewing.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self.renewing
            if self.app.running:
                await self.app.stop()
            await self.bot.post_stop(self.app)
            await self.app.shutdown()
        finally:
            await self.bot.post_shutdown(self.app)
            if self.owns_runtime:
                await self.runtime.stop()  # also when start failed before PTB knew of it
            logger.info("webhook worker stopped")

    # ---- one update ----------------------------------------------------------------------------

    async def handle(self, data: dict[str, Any]) -> Outcome:
        """Claim, process (handlers, replies, log), finish; see the module docstring."""
        update_id = int(data["update_id"])
        if not await self.store.claim_update(message_key(update_id), lease=CLAIM_LEASE):
            return await self._not_ours(update_id)
        self.in_hand[update_id] = time.monotonic()
        try:
            update = Update.de_json(data, self.app.bot)
        except Exception:  # noqa: BLE001 - not an update PTB can read: retrying would not help
            logger.warning("update %d could not be read; acknowledged and left alone", update_id, exc_info=True)
            update = None
        try:
            if update is not None:
                await self.app.update_processor.process_update(update, self.app.process_update(update))
        finally:
            del self.in_hand[update_id]
        if update_id in self.answered:
            self.answered.discard(update_id)
        else:
            await self.store.finish_update(message_key(update_id))
        return Outcome(200)

    async def _answered(self, turn: Turn) -> None:
        """The answer's last message is about to leave: from now on the update is done."""
        await self.store.finish_update(turn.message_key)
        self.answered.add(int(turn.message_id))

    async def _not_ours(self, update_id: int) -> Outcome:
        state = await self.store.claim_state(message_key(update_id))
        if state is None or state.finished:
            logger.info("update %d was handled already: not answered again", update_id)
            return Outcome(200)
        lapses_in = state.claimed_at + CLAIM_LEASE - time.time()
        return Outcome(409, max(1, math.ceil(lapses_in)))

    async def _renew_claims(self) -> None:
        """Until cancelled: keep the claims of updates in hand for a while from lapsing."""
        while True:
            await asyncio.sleep(RENEW_EVERY)
            settled = time.monotonic() - 1.0
            for update_id in [u for u, since in self.in_hand.items() if since < settled]:
                try:
                    await self.store.renew_claim(message_key(update_id))
                except Exception:  # noqa: BLE001 - try again next round; the lease has room
                    logger.warning("could not renew the claim on update %d", update_id, exc_info=True)

    # ---- health --------------------------------------------------------------------------------

    async def health(self) -> Health:
        """Ready to serve: started, intents loaded, and the database answers within a moment."""
        health = await self.runtime.health()
        details = {"ready": self.ready, **health.details, "updates_in_hand": len(self.in_hand)}
        return Health(self.ready and health.ok, details)
