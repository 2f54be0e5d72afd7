/* catalog: image previews in the product editor and the variant picker on product pages.
   Both pages work without it; this only makes them quicker to use. */
(function () {
  "use strict";

  function previews(input) {
    var box = document.querySelector(input.dataset.preview);
    if (!box) return;
    box.replaceChildren();
    Array.prototype.forEach.call(input.files || [], function (file) {
      var figure = document.createElement("figure");
      var img = document.createElement("img");
      img.src = URL.createObjectURL(file);
      img.alt = "Preview of " + file.name;
      img.onload = function () { URL.revokeObjectURL(img.src); };
      var caption = document.createElement("figcaption");
      caption.textContent = file.name + " · " + Math.ceil(file.size / 1024) + " KB";
      figure.append(img, caption);
      box.append(figure);
    });
  }

  function picker(form) {
    var data = JSON.parse(document.querySelector(form.dataset.skusFrom).textContent);
    var root = form.closest(".pdp-info");
    function set(role, text, show) {
      var el = root.querySelector('[data-role="' + role + '"]');
      if (!el) return;
      if (text !== undefined) el.textContent = text;
      if (show !== undefined) el.hidden = !show;
    }
    form.addEventListener("change", function () {
      var picked = {};
      form.querySelectorAll("input[type=radio]:checked").forEach(function (r, i) {
        picked[r.dataset.option] = r.value;
        set("picked-" + r.name.slice(1), r.value);
      });
      var id = Object.keys(data).find(function (key) {
        var attrs = data[key].attributes;
        return Object.keys(picked).every(function (k) { return attrs[k] === picked[k]; });
      });
      var avail = root.querySelector('[data-role="availability"]');
      if (!id) {
        avail.innerHTML = '<span class="status bad">Not available in this combination</span>';
        return;
      }
      var sku = data[id];
      form.querySelector('[data-role="sku-id"]').value = id;
      set("price", sku.price);
      set("list-price", sku.list_price || "", !!sku.list_price);
      set("discount", sku.discount ? "-" + sku.discount + "%" : "", !!sku.discount);
      avail.innerHTML = sku.available > 0
        ? '<span class="status ok">In stock</span> ' + sku.available + " available"
        : '<span class="status bad">Out of stock</span>';
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("input[type=file][data-preview]")) {
      previews(event.target);
    }
  });
  document.querySelectorAll("form[data-skus-from]").forEach(picker);
})();
