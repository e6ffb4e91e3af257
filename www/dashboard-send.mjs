// "Send an event": the catalog's events (GET /v1/event-types) for the chosen webhook's
// profile, or for every profile of the webhooks when the event goes to all that match; an
// event picked fills the type and its example data, which stays editable. The data is sent
// as typed, byte for byte (number text, key order and big integers kept).
import { $, el } from "./dom.mjs";

/**
 * Wires the form. `api`: the sender's client; `sent(event)` after an event is accepted
 * (`{id, type, deliveries}`). Returns `sync(webhooks)`, to call with every new list of
 * webhooks.
 */
export function sendForm({ api, sent }) {
  const catalogs = new Map(); // profile -> its events (a promise, asked for once)
  let webhooks = [];
  let offered = ""; // the profiles whose events are offered, to rebuild on a change only

  const catalog = (profile) => {
    if (!catalogs.has(profile)) {
      catalogs.set(
        profile,
        api.eventTypes(profile).catch(() => {
          catalogs.delete(profile); // a later choice asks again
          return [];
        }),
      );
    }
    return catalogs.get(profile);
  };

  /** The profiles whose events fit the chosen target: its webhook's, or every webhook's. */
  const profiles = () => {
    const id = $("e-webhook").value;
    const chosen = id ? webhooks.filter((w) => w.id === id) : webhooks;
    return [...new Set(chosen.map((w) => w.profile))].sort();
  };

  /** Offers the events of the target's profiles, a group per profile. */
  async function offerEvents() {
    const wanted = profiles();
    const key = wanted.join(",");
    if (key === offered) return;
    offered = key;
    const lists = await Promise.all(wanted.map(catalog));
    if (offered !== key) return; // the target changed meanwhile
    const groups = wanted.map((profile, i) =>
      el(
        "optgroup",
        { label: profile },
        lists[i].map((t) => {
          const option = new Option(t.event_type, `${profile} ${t.event_type}`);
          option.title = t.description;
          return option;
        }),
      ),
    );
    $("e-fixture").replaceChildren(new Option("— type your own —", ""), ...groups);
    $("e-fixture").disabled = groups.length === 0;
  }

  /** Fills the type and data with the picked catalog event's. */
  async function pick() {
    const [profile, type] = $("e-fixture").value.split(" ");
    if (!type) return;
    const event = (await catalog(profile)).find((t) => t.event_type === type);
    if (!event) return;
    $("e-type").value = event.event_type;
    $("e-data").value = JSON.stringify(event.data, null, 2);
    $("e-description").textContent = `${event.description} (the ${profile} catalog's example, editable)`;
  }

  $("e-webhook").addEventListener("change", offerEvents);
  $("e-fixture").addEventListener("change", pick);
  $("send-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const button = e.submitter ?? $("send-form").querySelector("button[type=submit]");
    const text = $("e-data").value;
    if (text.trim()) {
      try {
        JSON.parse(text);
      } catch (err) {
        $("send-result").textContent = `The data is not JSON: ${err.message}`;
        return;
      }
    }
    const target = $("e-webhook").value;
    button.disabled = true;
    try {
      const event = await api.sendEvent($("e-type").value.trim(), text, target ? [target] : []);
      const n = event.deliveries.length;
      $("send-result").textContent = `Event ${event.id} accepted: ${n} deliver${n === 1 ? "y" : "ies"}.`;
      await sent(event);
    } catch (err) {
      $("send-result").textContent = `Not sent: ${err.message}`;
    } finally {
      button.disabled = false;
    }
  });

  return function sync(list) {
    webhooks = list;
    const select = $("e-webhook");
    const want = ["", ...list.map((w) => w.id)];
    if ([...select.options].map((o) => o.value).join("\n") !== want.join("\n")) {
      const current = select.value;
      select.replaceChildren(
        new Option("every webhook whose events match", ""),
        ...list.map((w) => new Option(`${w.id} (${w.profile})`, w.id)),
      );
      select.value = want.includes(current) ? current : "";
    }
    offerEvents();
  };
}
