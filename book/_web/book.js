// The book's own script (html_js_files in _config.yml): a home link in every
// page's header, so a reader on a phone (where the chapter list is folded
// away) is one tap from the table of contents.
document.addEventListener("DOMContentLoaded", () => {
  const brand = document.querySelector("a.navbar-brand");
  const start = document.querySelector(".header-article-items__start");
  if (!brand || !start || document.querySelector("a.book-home-link")) return;
  const a = document.createElement("a");
  a.href = brand.getAttribute("href");
  a.className = "btn btn-sm book-home-link";
  a.title = "Home: the book's contents";
  a.setAttribute("aria-label", "Home: the book's contents");
  a.innerHTML = '<i class="fa-solid fa-house" aria-hidden="true"></i>';
  const item = document.createElement("div");
  item.className = "header-article-item";
  item.appendChild(a);
  start.appendChild(item);
});
