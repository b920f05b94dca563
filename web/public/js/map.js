// The tours on a Leaflet map: one colour per tour, stops numbered in the
// order driven. Without a tile URL the map has no base layer and the tours
// draw on a blank background, so it works offline.

import { colour } from './format.js';
import { t } from './i18n.js';

/** Google's encoded polyline (precision 5, latitude first) → [[lat, lon]]. */
export function decodePolyline(text) {
  const points = [];
  let i = 0, lat = 0, lon = 0;
  const next = () => {
    let result = 0, shift = 0, b;
    do {
      b = text.charCodeAt(i++) - 63;
      result |= (b & 0x1f) << shift;
      shift += 5;
    } while (b >= 0x20);
    return result & 1 ? ~(result >> 1) : result >> 1;
  };
  while (i < text.length) {
    lat += next();
    lon += next();
    points.push([lat / 1e5, lon / 1e5]);
  }
  return points;
}

export function createMap(node, config) {
  const map = L.map(node, { zoomSnap: 0.25, keyboard: true });
  if (config.tile_url) {
    L.tileLayer(config.tile_url, { maxZoom: 19, attribution: config.tile_attribution }).addTo(map);
  }
  map.setView([49.44, 1.09], 11);
  const layer = L.layerGroup().addTo(map);
  let waiting = null;
  return {
    /** Draws `plan`'s tours; `visible(i)` filters them (a day, say). */
    draw(plan, visible = () => true) {
      layer.clearLayers();
      const bounds = [];
      plan.tours.forEach((tour, t) => {
        if (!visible(t)) return;
        const path = decodePolyline(tour.geometry.polyline);
        L.polyline(path, { color: colour(t), weight: 4, opacity: 0.85 })
          .bindTooltip(text(`${tour.vehicle} · ${tour.day}`))
          .addTo(layer);
        bounds.push(...path);
        tour.stops.forEach((s, k) => {
          const icon = L.divIcon({
            className: 'stop-pin',
            html: `<span style="background:${colour(t)}">${s.kind === 'reload' ? '⟲' : k + 1}</span>`,
            iconSize: [24, 24],
          });
          L.marker([s.location[1], s.location[0]], { icon, title: `${k + 1}. ${s.name || s.job}`, keyboard: false })
            .bindPopup(popup(k, s))
            .addTo(layer);
        });
      });
      if (bounds.length) map.fitBounds(bounds, { padding: [20, 20] });
      node.dataset.tours = String(layer.getLayers().filter((l) => l instanceof L.Polyline).length);
    },
    invalidate: () => map.invalidateSize(),
    /** Waits for one click on the map (a place the coordinator sets by
     *  hand): its [longitude, latitude], marked with a pin named `label`. */
    pick(label) {
      // One pick at a time: an earlier one still waiting gives nothing.
      waiting?.();
      node.classList.add('picking');
      return new Promise((resolve) => {
        const onClick = (e) => {
          waiting = null;
          node.classList.remove('picking');
          const icon = L.divIcon({ className: 'stop-pin', html: '<span style="background:#a4161a">+</span>', iconSize: [24, 24] });
          L.marker(e.latlng, { icon, title: label || '', keyboard: false }).addTo(layer);
          resolve([Number(e.latlng.lng.toFixed(6)), Number(e.latlng.lat.toFixed(6))]);
        };
        map.once('click', onClick);
        waiting = () => {
          map.off('click', onClick);
          resolve(null);
        };
      });
    },
  };
}

/** A node holding `s` as text: Leaflet puts strings in as HTML, and ids,
 *  names and vehicles come from whoever wrote the problem. */
function text(s) {
  const span = document.createElement('span');
  span.textContent = s;
  return span;
}

/** A stop's popup: number and request in bold, name, time and kind. */
function popup(k, s) {
  const node = document.createElement('div');
  const title = document.createElement('b');
  title.textContent = `${k + 1}. ${s.job}`;
  node.append(title, ` ${s.name}`, document.createElement('br'), `${s.arrival.slice(11, 16)} · ${t(`stop.kind.${s.kind}`)}`);
  return node;
}
