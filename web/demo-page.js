// What the demo pages share: the status line (#status: red, or green when `ok`) and the JSON POST
// to onair's demo routes (the error's message thrown, as onair wrote it).

export function setStatus(text, ok = false) {
  const status = document.getElementById('status');
  status.textContent = text;
  status.classList.toggle('ok', ok);
}

export async function postJson(path, body) {
  const res = await fetch(path, { method: 'POST', body: JSON.stringify(body) });
  const answer = await res.json();
  if (!res.ok) throw new Error(answer.error?.message ?? `HTTP ${res.status}`);
  return answer;
}
