// The customer catalogue's Print button (inline handlers are not allowed by the CSP).
if (!window.accordCataloguePrint) {
  window.accordCataloguePrint = true;
  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-catalogue-print]")) window.print();
  });
}
