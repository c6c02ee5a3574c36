// The CSV import page: a chosen file is read into the textarea, so the form stays a plain
// urlencoded post (no multipart parser needed) and the person sees what will be imported.
document.addEventListener('change', (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || input.type !== 'file' || !input.dataset.fills) return;
  const target = document.getElementById(input.dataset.fills);
  const file = input.files && input.files[0];
  if (!target || !file) return;
  file.text().then((text) => {
    target.value = text;
  });
});
