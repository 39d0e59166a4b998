// plugin-throttling uses bottleneck's "light" build (no Redis); we build our own groups
// from the same build so the bundle carries one copy. Its types are the full build's.
declare module 'bottleneck/light.js' {
  import Bottleneck from 'bottleneck';
  export default Bottleneck;
}
