// Constants forge's Vite plugin defines in the main bundle for the renderer named "main_window".
declare const MAIN_WINDOW_VITE_DEV_SERVER_URL: string | undefined;
declare const MAIN_WINDOW_VITE_NAME: string;
