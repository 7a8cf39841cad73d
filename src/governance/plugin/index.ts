import { pluginName } from './plugin.js';

export { GovernancePlugin } from './plugin.js';
export default pluginName;
