/**
 * Screen or print: the same block components render on the Yardım Masası page and on the chrome-less
 * print page; print turns animations off and tightens spacing for A4.
 */
import { createContext, useContext } from 'react';

export type RenderMode = 'screen' | 'print';

const RenderModeContext = createContext<RenderMode>('screen');

export const RenderModeProvider = RenderModeContext.Provider;

export function useRenderMode(): RenderMode {
  return useContext(RenderModeContext);
}
