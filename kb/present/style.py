"""The app's CSS and the few lines of browser script it needs (copying an answer, opening
the citation a marker points to, counting characters as a question is typed)."""

from __future__ import annotations

CSS = """
.ipskb-badge {padding: 1px 6px; border-radius: 4px; font-size: 0.8em; font-weight: 600;}
.ipskb-historical {background: #fde2e1; color: #8a1c1c;}
.ipskb-excerpt {background: #fff3cd; color: #7a5b00;}
.ipskb-mark {background: #ffe066; padding: 0 2px;}
.ipskb-table td, .ipskb-table th {padding: 4px 8px; vertical-align: top; text-align: left;}
.ipskb-scroll {max-width: 100%; overflow-x: auto; -webkit-overflow-scrolling: touch;}
.ipskb-scroll table {min-width: 640px;}
.ipskb-admin-ok, .ipskb-admin-error {border-radius: 6px; padding: 6px 10px; margin: 0;}
.ipskb-admin-ok {background: #eef8ee; color: #1d4d1d;}
.ipskb-admin-error {background: #fde2e1; color: #8a1c1c;}
.ipskb-scroll-hint {display: none; font-size: 0.85em; color: #666; margin-bottom: 4px;}
.ipskb-context {max-height: 320px; overflow-y: auto; border-left: 3px solid #ccc;
  padding-left: 8px; margin: 6px 0; white-space: pre-wrap; overflow-wrap: anywhere;}
.ipskb-transcript {display: flex; flex-direction: column; gap: 14px;}
.ipskb-empty {color: #666; padding: 12px 0;}
.ipskb-turn {display: flex; flex-direction: column; gap: 6px;}
.ipskb-q {align-self: flex-end; max-width: 85%; background: #fff4e5; border-radius: 10px;
  padding: 8px 12px; white-space: pre-wrap; overflow-wrap: anywhere;}
.ipskb-answer, .ipskb-error {border: 1px solid #d8d8d8; border-radius: 10px;
  padding: 8px 12px; overflow-wrap: anywhere;}
.ipskb-answer p {margin: 0 0 8px 0;}
.ipskb-answer p.ipskb-note {font-size: 0.92em; color: #555;}
.ipskb-answer p.ipskb-detail {margin-left: 1.2em;}
.ipskb-related {border: 2px dashed #c77700; background: #fffaf0;}
.ipskb-label.ipskb-written-label {color: #1f3b66; background: #dbe7f7;}
.ipskb-notice {font-size: 0.85em; color: #555; margin: 0.3em 0;}
.ipskb-label {display: inline-block; font-weight: 700; color: #7a4a00; background: #ffe2b3;
  border-radius: 4px; padding: 1px 8px; margin-bottom: 6px; font-size: 0.9em;}
.ipskb-answer p {font-size: 1em; line-height: 1.5;}
.ipskb-related p.ipskb-reason {font-weight: 600;}
.ipskb-abstain {background: #f4f6fa;}
.ipskb-error {border-color: #e0a0a0; background: #fdf0f0; color: #8a1c1c;}
.ipskb-streaming {color: #444; white-space: pre-wrap;}
.ipskb-transcript a.ipskb-marker {text-decoration: none; font-weight: 600; white-space: nowrap;
  font-size: 0.85em; padding: 0; margin: 0;}
.ipskb-tools {display: flex; justify-content: flex-end;}
.ipskb-copy {font-size: 0.85em; border: 1px solid #ccc; border-radius: 6px;
  padding: 2px 10px; background: #fff; cursor: pointer;}
.ipskb-sources {margin-left: 8px; font-size: 0.92em;}
.ipskb-sources-h {font-weight: 700; margin: 2px 0 4px 0;}
.ipskb-cite summary {cursor: pointer; overflow-wrap: anywhere;}
.ipskb-cite.ipskb-flash summary {background: #fff3cd;}
#question-count {font-size: 0.85em; color: #666; text-align: right;}
#question-count .ipskb-over {color: #b00020; font-weight: 700;}
@media (max-width: 640px) {
  .ipskb-q {max-width: 95%;}
  .ipskb-sources {margin-left: 0;}
  #starters .ipskb-starter-col {min-width: 100% !important;}
  .ipskb-scroll-hint {display: block;}
  #ask-row {flex-wrap: wrap;}
  #ask-row > * {min-width: 100% !important;}
}
"""

# Runs once when the transcript loads; handles clicks on whatever answers it shows later,
# and keeps the start of the newest answer in view as it streams in.
TRANSCRIPT_JS = """
const scroller = () => {
  for (let node = element; node; node = node.parentElement) {
    const style = getComputedStyle(node);
    if (/(auto|scroll)/.test(style.overflowY) && node.scrollHeight > node.clientHeight) {
      return node;
    }
  }
  return null;
};
watch('value', () => {
  const turns = element.querySelectorAll('.ipskb-turn');
  const box = scroller();
  if (!turns.length || !box) return;
  const last = turns[turns.length - 1];
  box.scrollTop += last.getBoundingClientRect().top - box.getBoundingClientRect().top;
});
element.addEventListener('click', (event) => {
  const copy = event.target.closest('.ipskb-copy');
  if (copy) {
    const text = element.querySelector('#' + copy.dataset.for).textContent;
    const done = () => { copy.textContent = 'Copied'; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done);
    } else {
      const area = document.createElement('textarea');
      area.value = text;
      document.body.appendChild(area);
      area.select();
      document.execCommand('copy');
      area.remove();
      done();
    }
    return;
  }
  const mark = event.target.closest('a.ipskb-marker');
  if (mark) {
    event.preventDefault();
    const cite = element.querySelector('#' + mark.dataset.cite);
    if (cite) {
      cite.open = true;
      cite.classList.add('ipskb-flash');
      setTimeout(() => cite.classList.remove('ipskb-flash'), 1500);
      cite.scrollIntoView({block: 'nearest'});
    }
  }
});
"""


def counter_js(limit: int) -> str:
    """The character counter under the question box, updated in the browser as one types."""
    return f"""(text) => {{
  const n = [...(text || '')].length;
  if (n > {limit}) {{
    return `<span class="ipskb-over">${{n}} / {limit} characters: the limit is {limit}, ` +
      `shorten the question by ${{n - {limit}}}.</span>`;
  }}
  return `${{n}} / {limit} characters`;
}}"""

# Runs once when the page loads: on a phone the example questions start folded away, so
# the question box is on the first screen.
LOAD_JS = """
() => {
  if (!window.matchMedia('(max-width: 640px)').matches) return;
  const toggle = document.querySelector('#starters > button');
  if (toggle && toggle.getAttribute('aria-expanded') !== 'false') toggle.click();
}
"""
