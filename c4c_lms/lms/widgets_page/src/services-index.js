// The two names @jupyterlab/services' kernel connection takes from the package's index
// (see build.mjs).
export { ServerConnection } from '@jupyterlab/services/lib/serverconnection';
export { CommsOverSubshells } from '@jupyterlab/services/lib/kernel/comm';
