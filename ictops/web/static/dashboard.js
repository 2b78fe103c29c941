/* The score trend chart: data comes from the page (a JSON block), never from elsewhere. */
(function () {
  "use strict";
  var canvas = document.getElementById("trend");
  var source = document.getElementById("trend-data");
  if (!canvas || !source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var chart = new Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [{
        label: data.label, data: data.values, borderColor: "#1f6feb",
        backgroundColor: "rgba(31, 111, 235, 0.12)", fill: true, tension: 0.2,
        pointRadius: data.values.length > 60 ? 0 : 3
      }]
    },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false,
      scales: { y: { min: 0, max: 100, ticks: { stepSize: 20 } },
                x: { ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 8 } } },
      plugins: { legend: { display: false } }
    }
  });
  canvas.setAttribute("data-points", String(chart.data.datasets[0].data.length));
}());
