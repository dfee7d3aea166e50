// "Udskriv eller gem som PDF": opens the browser's print dialog (the print stylesheet hides the menu).
document.querySelectorAll("[data-udskriv]").forEach((knap) => {
  knap.addEventListener("click", () => window.print());
});
